import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router-dom';
import { useSession } from './auth/session';
import { RequireAuth } from './components/AppShell';
import { PageLoading } from './components/Spinner';
import { InboxPage } from './pages/app/inbox/InboxPage';
import { TestPhonePage } from './pages/app/TestPhonePage';
import { NumbersPage } from './pages/app/settings/NumbersPage';
import { AgentsPage } from './pages/app/settings/AgentsPage';
import { RolesPage } from './pages/app/settings/RolesPage';
import { TagsPage } from './pages/app/settings/TagsPage';
import { TeamsPage } from './pages/app/settings/TeamsPage';
import { TemplatesPage } from './pages/app/settings/TemplatesPage';
import { CannedResponsesPage } from './pages/app/settings/CannedResponsesPage';
import { BusinessHoursPage } from './pages/app/settings/BusinessHoursPage';
import { WorkflowPage } from './pages/app/settings/WorkflowPage';
import { RoutingPage } from './pages/app/settings/RoutingPage';
import { SlaPoliciesPage } from './pages/app/settings/SlaPoliciesPage';
import { ContactsPage } from './pages/app/settings/ContactsPage';
import { BotsPage } from './pages/app/settings/BotsPage';
import { KnowledgeBasePage } from './pages/app/settings/KnowledgeBasePage';
import { WebhooksPage } from './pages/app/settings/WebhooksPage';
import { FailedJobsPage } from './pages/app/operator/FailedJobsPage';
import { FloorPage } from './pages/app/floor/FloorPage';
import { CsatPage } from './pages/app/settings/CsatPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { AcceptInvitationPage } from './pages/public/AcceptInvitationPage';
import { ForgotPasswordPage } from './pages/public/ForgotPasswordPage';
import { LoginPage } from './pages/public/LoginPage';
import { ResetPasswordPage } from './pages/public/ResetPasswordPage';
import { SignupPage } from './pages/public/SignupPage';
import { VerifyEmailPage } from './pages/public/VerifyEmailPage';

// Reports bring the chart library: loaded when first opened, so the rest of the portal stays small.
const ReportsPage = lazy(() => import('./pages/app/reports/ReportsPage').then((m) => ({ default: m.ReportsPage })));

function LazyReports() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<PageLoading label={t('reports.loading')} />}>
      <ReportsPage />
    </Suspense>
  );
}

function SettingsHome() {
  const { can } = useSession();
  return <Navigate to={can('agents:manage') || can('teams:manage') ? '/settings/agents' : '/settings/teams'} replace />;
}

export function App() {
  return (
    <Routes>
      <Route path="/signup" element={<SignupPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
      <Route element={<RequireAuth />}>
        <Route path="/" element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/inbox/:conversationId" element={<InboxPage />} />
        <Route path="/test-phone" element={<TestPhonePage />} />
        <Route path="/reports" element={<LazyReports />} />
        <Route path="/settings" element={<SettingsHome />} />
        <Route path="/settings/agents" element={<AgentsPage />} />
        <Route path="/settings/roles" element={<RolesPage />} />
        <Route path="/settings/teams" element={<TeamsPage />} />
        <Route path="/settings/tags" element={<TagsPage />} />
        <Route path="/settings/numbers" element={<NumbersPage />} />
        <Route path="/settings/templates" element={<TemplatesPage />} />
        <Route path="/settings/canned-responses" element={<CannedResponsesPage />} />
        <Route path="/settings/business-hours" element={<BusinessHoursPage />} />
        <Route path="/settings/routing" element={<RoutingPage />} />
        <Route path="/settings/sla" element={<SlaPoliciesPage />} />
        <Route path="/settings/workflow" element={<WorkflowPage />} />
        <Route path="/settings/contacts" element={<ContactsPage />} />
        <Route path="/settings/contacts/:contactId" element={<ContactsPage />} />
        <Route path="/settings/bots" element={<BotsPage />} />
        <Route path="/settings/knowledge" element={<KnowledgeBasePage />} />
        <Route path="/settings/webhooks" element={<WebhooksPage />} />
        <Route path="/operator/jobs" element={<FailedJobsPage />} />
        <Route path="/floor" element={<FloorPage />} />
        <Route path="/settings/csat" element={<CsatPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
