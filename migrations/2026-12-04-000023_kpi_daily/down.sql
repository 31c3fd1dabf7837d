DROP TABLE kpi_daily;
