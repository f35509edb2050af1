//! Throughput of the working-time core: 1,000,000 due-date computations and
//! 1,000,000 classifications per iteration, plus building the standard
//! calendar. Run: `cargo bench -p motcua-core --bench calendar`.

use chrono::{Days, NaiveDate, NaiveDateTime, TimeDelta};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use motcua_core::calendar::{
    Pause, ProcessingTime, WorkCalendar, classify_open, classify_resolved,
};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 1_000_000;

/// A small deterministic generator (xorshift64*), so the bench needs no
/// extra dependency and every run sees the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Receptions spread over 2016..=2025, at any minute of the day.
fn receptions(rng: &mut Rng) -> Vec<(NaiveDateTime, ProcessingTime)> {
    let base = NaiveDate::from_ymd_opt(2016, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (0..N)
        .map(|_| {
            let t = base
                .checked_add_days(Days::new(rng.below(3653)))
                .unwrap()
                .checked_add_signed(TimeDelta::minutes(rng.below(1440) as i64))
                .unwrap();
            let p = match rng.below(10) {
                0..=6 => ProcessingTime::WorkingDays(1 + rng.below(30) as u32),
                7..=8 => ProcessingTime::WorkingHours(1 + rng.below(40) as u32),
                _ => ProcessingTime::CalendarDays(1 + rng.below(60) as u32),
            };
            (t, p)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cal = WorkCalendar::standard();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let inputs = receptions(&mut rng);
    let pauses: Vec<Pause> = inputs
        .iter()
        .map(|&(t, _)| {
            let from = t + TimeDelta::hours(rng.below(72) as i64);
            Pause {
                from,
                to: from + TimeDelta::minutes(rng.below(5 * 1440) as i64),
            }
        })
        .collect();
    let dues: Vec<NaiveDateTime> = inputs
        .iter()
        .map(|&(t, p)| cal.due(t, p).unwrap())
        .collect();
    let finished: Vec<NaiveDateTime> = dues
        .iter()
        .map(|&d| d + TimeDelta::minutes(rng.below(20 * 1440) as i64 - 14 * 1440))
        .collect();

    let mut g = c.benchmark_group("calendar");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(N as u64));

    g.bench_function("due_1e6", |b| {
        b.iter(|| {
            let mut acc = 0i64;
            for &(t, p) in &inputs {
                if let Ok(d) = cal.due(black_box(t), black_box(p)) {
                    acc = acc.wrapping_add(d.and_utc().timestamp());
                }
            }
            acc
        })
    });

    g.bench_function("due_with_one_pause_1e6", |b| {
        b.iter(|| {
            let mut acc = 0i64;
            for (&(t, p), pause) in inputs.iter().zip(&pauses) {
                if let Ok(d) =
                    cal.due_with_pauses(black_box(t), black_box(p), std::slice::from_ref(pause))
                {
                    acc = acc.wrapping_add(d.and_utc().timestamp());
                }
            }
            acc
        })
    });

    g.bench_function("classify_resolved_1e6", |b| {
        b.iter(|| {
            let mut counts = [0u32; 3];
            for (&due, &fin) in dues.iter().zip(&finished) {
                counts[classify_resolved(black_box(due), black_box(fin)) as usize] += 1;
            }
            counts
        })
    });

    g.bench_function("classify_open_and_remaining_1e6", |b| {
        b.iter(|| {
            let mut acc = 0i64;
            for (&due, &at) in dues.iter().zip(&finished) {
                acc += classify_open(black_box(due), black_box(at)) as i64;
                acc = acc.wrapping_add(cal.remaining(due, at));
            }
            acc
        })
    });
    g.finish();

    let mut g = c.benchmark_group("calendar_build");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("standard_calendar", |b| b.iter(WorkCalendar::standard));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
