//! Why the queue lock is not raw_sync's `Mutex` (the design card's choice), measured: a holder
//! that dies wedges raw_sync's process-shared mutex for good, while the robust mutex hands the
//! lock to the next process with `OwnerDied`. Both are timed on the uncontended path the queue
//! takes on every operation (printed, not asserted: speed belongs to benchmarks).

use std::time::{Duration, Instant};

use raw_sync::locks::{LockInit, Mutex};
use raw_sync::Timeout;
use shmqueue_core::layout::LockWord;
use shmqueue_core::lock::{Acquired, RobustMutex};

/// A page of anonymous memory shared with forked children.
fn shared_page() -> *mut u8 {
    // SAFETY: a fresh anonymous mapping; never unmapped (the test process ends).
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(page, libc::MAP_FAILED);
    page.cast()
}

/// Runs `hold` in a child that exits (without unlocking) right after.
fn die_holding(hold: impl FnOnce()) {
    // SAFETY: the child only takes a lock and exits; this test binary runs a single test.
    match unsafe { libc::fork() } {
        0 => {
            hold();
            // SAFETY: leave at once, holding the lock.
            unsafe { libc::_exit(0) }
        }
        pid => {
            let mut status = 0;
            // SAFETY: pid is our child.
            unsafe { libc::waitpid(pid, &mut status, 0) };
        }
    }
}

fn time_pairs(mut pair: impl FnMut()) -> f64 {
    const PAIRS: u32 = 1_000_000;
    let started = Instant::now();
    for _ in 0..PAIRS {
        pair();
    }
    started.elapsed().as_nanos() as f64 / f64::from(PAIRS)
}

#[test]
fn a_dead_holder_wedges_raw_sync_but_not_the_robust_mutex() {
    // raw_sync: plain process-shared pthread mutex.
    let page = shared_page();
    // SAFETY: the page is ours, large enough, and outlives the lock.
    let (raw, _) = unsafe { Mutex::new(page, page.add(2048)) }.expect("raw_sync mutex");
    let raw_ns = time_pairs(|| drop(raw.lock().expect("lock")));
    die_holding(|| std::mem::forget(raw.lock().expect("lock in child")));
    let wedged = raw.try_lock(Timeout::Val(Duration::from_millis(200)));
    println!(
        "raw_sync after its holder died: {}",
        match &wedged {
            Ok(_) => "acquired".to_owned(),
            Err(e) => format!("not acquired ({e})"),
        }
    );
    assert!(
        wedged.is_err(),
        "raw_sync's mutex was acquired after its holder died"
    );

    // The queue's robust mutex.
    let page = shared_page();
    // SAFETY: the page is 64-byte aligned (page aligned) and as large as a LockWord.
    let mutex = unsafe { RobustMutex::from_word(&*(page as *const LockWord)) };
    // SAFETY: nobody else uses the page yet.
    unsafe { mutex.init() }.expect("init");
    let robust_ns = time_pairs(|| {
        mutex.lock(std::time::Duration::from_secs(5)).expect("lock");
        mutex.unlock();
    });
    die_holding(|| {
        mutex
            .lock(std::time::Duration::from_secs(5))
            .expect("lock in child");
    });
    assert_eq!(
        mutex
            .lock(std::time::Duration::from_secs(5))
            .expect("lock after the holder died"),
        Acquired::OwnerDied
    );
    mutex.mark_consistent();
    mutex.unlock();
    assert_eq!(
        mutex
            .lock(std::time::Duration::from_secs(5))
            .expect("lock again"),
        Acquired::Clean
    );
    mutex.unlock();
    println!("uncontended lock+unlock: raw_sync {raw_ns:.1} ns, robust mutex {robust_ns:.1} ns");
}
