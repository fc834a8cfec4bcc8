//! Forking test processes and talking to them over pipes, for the tests that need several
//! processes. Only safe while the test binary runs one test thread: each such file has one
//! `#[test]` that runs its scenarios in turn.
#![allow(dead_code)]

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Runs `child` in a forked process that exits with its return code.
pub fn fork(child: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: the harness runs only this test; the child calls no async-signal-unsafe code that
    // another thread could have left locked (there is no other thread doing anything).
    match unsafe { libc::fork() } {
        0 => {
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(101);
            // SAFETY: leaves without running the parent's atexit handlers or test harness.
            unsafe { libc::_exit(code) }
        }
        -1 => panic!("fork failed"),
        pid => pid,
    }
}

pub fn wait_exit(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: pid is our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    }
}

pub fn kill(pid: libc::pid_t) {
    // SAFETY: pid is our child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(wait_exit(pid), -libc::SIGKILL);
}

pub fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: fds has room for two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

pub fn read_byte(fd: &OwnedFd) {
    let mut byte = 0u8;
    // SAFETY: reads one byte into a local.
    let n = unsafe { libc::read(fd.as_raw_fd(), (&mut byte as *mut u8).cast(), 1) };
    assert_eq!(n, 1, "the child never reached its pause point");
}

/// Writes one byte to `fd` (async-signal-safe: usable from a pause hook).
pub fn write_byte(fd: libc::c_int) {
    // SAFETY: writes one byte from a static to a descriptor the caller owns.
    unsafe { libc::write(fd, b"p".as_ptr().cast(), 1) };
}

/// Drops this process to the user and group `id` (a forked child playing another local user).
pub fn become_user(id: u32) {
    // SAFETY: plain system calls; the group first, while we still may.
    unsafe {
        assert_eq!(libc::setgroups(0, std::ptr::null()), 0, "setgroups");
        assert_eq!(libc::setgid(id), 0, "setgid");
        assert_eq!(libc::setuid(id), 0, "setuid");
    }
}

pub fn is_root() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}
