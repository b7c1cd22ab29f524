//! The rendered timelines of recently read cases. A case's timeline changes only when an
//! event is appended to its stream, so a rendering is keyed by the case and the stream
//! version it was rendered at; a newer version in the projection simply misses. Only the
//! full, unredacted rendering is kept: a pseudonymised view, or one where a protected
//! identity must be scrubbed for the caller, is rendered per request from the events. What
//! is kept is exactly what the journal says; nothing here is a source of truth.
//!
//! Bounded by bytes, evicting in insertion order (first in, first out): cheap under one
//! lock, and a case read again after eviction is just rendered again.

use serde_json::value::RawValue;
use skyndsam_domain::ids::CaseId;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

pub type Rendered = Arc<RawValue>;

struct Entry {
    version: u32,
    json: Rendered,
    generation: u64,
}

#[derive(Default)]
struct Inner {
    map: HashMap<CaseId, Entry>,
    /// Insertion order; an item whose generation no longer matches the map is stale.
    order: VecDeque<(CaseId, u64)>,
    bytes: usize,
    generation: u64,
    hits: u64,
    misses: u64,
}

pub struct TimelineCache {
    budget: usize,
    inner: Mutex<Inner>,
}

/// Counters for the operator (`/health` does not show them; tests and benchmarks do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub entries: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

impl TimelineCache {
    /// A cache of at most `budget` bytes of rendered JSON (0 turns it off).
    pub fn new(budget: usize) -> Self {
        Self { budget, inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The rendering of `case` at stream `version`, if kept.
    pub fn get(&self, case: &CaseId, version: u32) -> Option<Rendered> {
        if self.budget == 0 {
            return None;
        }
        let mut g = self.lock();
        let found = g.map.get(case).filter(|e| e.version == version).map(|e| e.json.clone());
        if found.is_some() {
            g.hits += 1;
        } else {
            g.misses += 1;
        }
        found
    }

    /// Keeps the rendering of `case` at `version` (replacing an older one).
    pub fn put(&self, case: CaseId, version: u32, json: Rendered) {
        let size = json.get().len();
        if size > self.budget {
            return;
        }
        let mut g = self.lock();
        if g.map.get(&case).is_some_and(|e| e.version >= version) {
            return;
        }
        g.generation += 1;
        let generation = g.generation;
        if let Some(old) = g.map.insert(case, Entry { version, json, generation }) {
            g.bytes -= old.json.get().len();
        }
        g.bytes += size;
        g.order.push_back((case, generation));
        while g.bytes > self.budget {
            let Some((victim, gen)) = g.order.pop_front() else { break };
            if g.map.get(&victim).is_some_and(|e| e.generation == gen) {
                if let Some(e) = g.map.remove(&victim) {
                    g.bytes -= e.json.get().len();
                }
            }
        }
        // Replaced entries leave stale items behind; keep the queue near the map's size.
        if g.order.len() > 2 * g.map.len() + 1024 {
            let Inner { map, order, .. } = &mut *g;
            order.retain(|(c, gen)| map.get(c).is_some_and(|e| e.generation == *gen));
        }
    }

    pub fn stats(&self) -> CacheStats {
        let g = self.lock();
        CacheStats { entries: g.map.len(), bytes: g.bytes, hits: g.hits, misses: g.misses }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn rand_id() -> u128 {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        u128::from(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    fn json(n: usize) -> Rendered {
        let s = format!("[\"{}\"]", "x".repeat(n));
        Arc::from(RawValue::from_string(s).unwrap())
    }

    #[test]
    fn a_newer_version_misses_and_replaces() {
        let c = TimelineCache::new(1 << 20);
        let id = CaseId::from_u128(rand_id());
        c.put(id, 3, json(10));
        assert!(c.get(&id, 3).is_some());
        assert!(c.get(&id, 4).is_none(), "an event appended since must not be served from the cache");
        c.put(id, 4, json(20));
        assert_eq!(c.get(&id, 4).map(|j| j.get().len()), Some(24));
        // A slow reader that rendered the older version cannot put it back.
        c.put(id, 3, json(10));
        assert!(c.get(&id, 4).is_some());
        assert_eq!(c.stats().entries, 1);
        assert_eq!(c.stats().bytes, 24);
    }

    #[test]
    fn the_budget_holds_and_the_oldest_goes_first() {
        let c = TimelineCache::new(100);
        let ids: Vec<CaseId> = (0..5).map(|_| CaseId::from_u128(rand_id())).collect();
        for id in &ids {
            c.put(*id, 1, json(30)); // 34 bytes each
        }
        let s = c.stats();
        assert!(s.bytes <= 100, "{s:?}");
        assert_eq!(s.entries, 2);
        assert!(c.get(&ids[0], 1).is_none());
        assert!(c.get(&ids[4], 1).is_some());
        // Re-putting one case many times does not grow the queue without bound.
        for v in 2..5000 {
            c.put(ids[4], v, json(30));
        }
        let entries = c.stats().entries;
        let queued = c.lock().order.len();
        assert!(queued <= 2 * entries + 1024, "{queued} queued for {entries} entries");
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let c = TimelineCache::new(0);
        let id = CaseId::from_u128(rand_id());
        c.put(id, 1, json(1));
        assert!(c.get(&id, 1).is_none());
    }
}
