//! Duration histograms: how medians and p90s are read from hourly sums.
//!
//! A median cannot be added up, so each roll-up row keeps how many durations fell in each of
//! [`BUCKETS`] buckets whose edges grow by 30% (10 s, 13 s, 17 s, ... past 20 days; longer
//! durations share the last bucket). Sums of histograms are histograms of the union, so a 90-day
//! report merges rows and reads the percentile from the merged counts, interpolating linearly
//! inside the bucket that holds it.
//! The answer is within one bucket of the exact value (at most 30% above the bucket's lower
//! edge), which the portal says next to it; means are exact (sums and counts).
//!
//! The same [`Histogram`] and [`Histogram::percentile`] are what the recompute test applies to
//! raw durations, so "equal" there means the roll-up lost or double-counted nothing.

/// Buckets per histogram. Bucket 0 holds durations below the first edge; the last holds
/// everything from the last edge up.
pub const BUCKETS: usize = 48;

/// The lower edge (seconds) of bucket `i`: 0, then 10 s × 1.3^(i-1), rounded.
pub fn lower_edge(i: usize) -> i64 {
    if i == 0 {
        0
    } else {
        (10.0 * 1.3f64.powi(i as i32 - 1)).round() as i64
    }
}

/// The bucket a duration falls in.
pub fn bucket_of(secs: i64) -> usize {
    let secs = secs.max(0);
    // Few buckets: a linear walk is clearer than the logarithm and exact at the edges.
    (1..BUCKETS)
        .take_while(|&i| lower_edge(i) <= secs)
        .last()
        .unwrap_or(0)
}

/// Counts per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram(pub Vec<i64>);

impl Histogram {
    pub fn add(&mut self, secs: i64) {
        if self.0.len() < BUCKETS {
            self.0.resize(BUCKETS, 0);
        }
        self.0[bucket_of(secs)] += 1;
    }

    pub fn merge(&mut self, other: &[i64]) {
        if self.0.len() < other.len() {
            self.0.resize(other.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(other) {
            *a += b;
        }
    }

    pub fn count(&self) -> i64 {
        self.0.iter().sum()
    }

    /// The `q`-quantile (0 < q ≤ 1) in seconds, or `None` for an empty histogram: the
    /// bucket holding the rank, interpolated between its edges (the last bucket answers its
    /// lower edge).
    pub fn percentile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = (q * n as f64).max(1.0);
        let mut below = 0i64;
        for (i, &c) in self.0.iter().enumerate() {
            if c == 0 {
                continue;
            }
            if (below + c) as f64 >= rank {
                let lo = lower_edge(i) as f64;
                if i + 1 >= BUCKETS {
                    return Some(lo);
                }
                let hi = lower_edge(i + 1) as f64;
                let within = (rank - below as f64) / c as f64;
                return Some(lo + (hi - lo) * within);
            }
            below += c;
        }
        Some(lower_edge(BUCKETS - 1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_grow_and_buckets_hold_their_range() {
        assert_eq!(lower_edge(0), 0);
        assert_eq!(lower_edge(1), 10);
        assert_eq!(lower_edge(2), 13);
        assert!(
            lower_edge(BUCKETS - 1) > 20 * 86_400,
            "the last edge is past 20 days"
        );
        for i in 1..BUCKETS {
            assert!(lower_edge(i) > lower_edge(i - 1));
            assert_eq!(bucket_of(lower_edge(i)), i);
            assert_eq!(bucket_of(lower_edge(i) - 1), i - 1);
        }
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(i64::MAX), BUCKETS - 1);
    }

    #[test]
    fn percentiles_fall_inside_the_right_bucket() {
        let mut h = Histogram::default();
        assert_eq!(h.percentile(0.5), None);
        for secs in [5, 60, 60, 60, 600, 3600, 7200, 7200, 86_400, 90_000] {
            h.add(secs);
        }
        let median = h.percentile(0.5).unwrap();
        // The 5th of 10 durations is 600 s: the answer is within 600's bucket.
        let b = bucket_of(600);
        assert!(median >= lower_edge(b) as f64 && median <= lower_edge(b + 1) as f64);
        let p90 = h.percentile(0.9).unwrap();
        let b = bucket_of(86_400);
        assert!(p90 >= lower_edge(b) as f64 && p90 <= lower_edge(b + 1) as f64);
        // Merging is adding.
        let mut twice = h.clone();
        twice.merge(&h.0);
        assert_eq!(twice.count(), 20);
        assert_eq!(twice.percentile(0.5), h.percentile(0.5));
    }
}
