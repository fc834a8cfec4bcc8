//! The POSIX shared-memory object behind a queue, as the kernel sees it: opened or created by
//! name, checked (`fstat`), locked while it is being created or removed (`flock`), mapped, and
//! then closed: a process keeps the mapping, not the descriptor, so a php-fpm worker that used a
//! thousand queues holds no thousand descriptors.
//!
//! The creation lock is an `flock` on the object, held by its creator from `shm_open` until the
//! header is ready and by a remover while it unlinks. The kernel drops it when its holder dies,
//! so a not-ready object whose lock is free was abandoned by a dead creator. (A mapping keeps
//! the open file, and so the lock, alive: `ShmFile`'s drop unlocks explicitly.)

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;

use crate::place::Place;
use crate::segment::os_id;

/// An open shared-memory object.
pub struct ShmFile {
    fd: OwnedFd,
}

/// Which object a name pointed at: the same pair means the same object, even after a re-creation
/// under that name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    dev: u64,
    ino: u64,
}

/// What `fstat` says about an object.
#[derive(Debug, Clone, Copy)]
pub struct Status {
    pub identity: Identity,
    pub size: u64,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

fn c_name(os_id: &str) -> io::Result<CString> {
    CString::new(os_id).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn check(code: libc::c_int) -> io::Result<()> {
    if code == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn status_of(stat: &libc::stat) -> Status {
    Status {
        identity: Identity {
            dev: stat.st_dev,
            ino: stat.st_ino,
        },
        size: stat.st_size as u64,
        uid: stat.st_uid,
        gid: stat.st_gid,
        mode: stat.st_mode & 0o7777,
    }
}

/// What the name `os_id` points at now; `None` when nothing (removed).
pub fn status_by_name(path: &str) -> io::Result<Option<Status>> {
    let path = c_name(path)?;
    // SAFETY: `stat` is written by the call; `path` is NUL-terminated.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    match check(unsafe { libc::stat(path.as_ptr(), &mut stat) }) {
        Ok(()) => Ok(Some(status_of(&stat))),
        Err(error) if error.raw_os_error() == Some(libc::ENOENT) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Removes the name; processes that still map the object keep it until they let go.
pub fn unlink(place: &Place, name: &str) -> io::Result<()> {
    if place.durable {
        let path = c_name(&place.path(name))?;
        // SAFETY: `path` is a valid NUL-terminated string.
        return check(unsafe { libc::unlink(path.as_ptr()) });
    }
    let name = c_name(&os_id(name))?;
    // SAFETY: `name` is a valid NUL-terminated string.
    check(unsafe { libc::shm_unlink(name.as_ptr()) })
}

impl ShmFile {
    /// Opens the existing object of `name` in `place` for reading and writing.
    pub fn open(place: &Place, name: &str) -> io::Result<ShmFile> {
        Self::open_flags(place, name, libc::O_RDWR, 0)
    }

    /// Creates the object, failing with `AlreadyExists` when it exists, and takes its creation
    /// lock (free: nobody else has the object yet, except a remover that found it first).
    pub fn create(place: &Place, name: &str) -> io::Result<ShmFile> {
        let flags = libc::O_RDWR | libc::O_CREAT | libc::O_EXCL;
        let file = Self::open_flags(place, name, flags, 0o600)?;
        file.lock(true, true)?;
        Ok(file)
    }

    /// `shm_open` for shared memory; `open` of the file (never through a symlink) for a durable
    /// queue. O_CLOEXEC so no child inherits the descriptor.
    fn open_flags(
        place: &Place,
        name: &str,
        flags: libc::c_int,
        mode: libc::mode_t,
    ) -> io::Result<ShmFile> {
        let fd = if place.durable {
            let path = c_name(&place.path(name))?;
            let flags = flags | libc::O_CLOEXEC | libc::O_NOFOLLOW;
            // SAFETY: `path` is NUL-terminated.
            unsafe { libc::open(path.as_ptr(), flags, mode as libc::c_uint) }
        } else {
            let name = c_name(&os_id(name))?;
            // SAFETY: `name` is NUL-terminated.
            unsafe { libc::shm_open(name.as_ptr(), flags | libc::O_CLOEXEC, mode) }
        };
        check(fd)?;
        // SAFETY: `fd` was just opened and is owned by nobody else.
        Ok(ShmFile {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    pub fn status(&self) -> io::Result<Status> {
        // SAFETY: `stat` is written by the call; the descriptor is open.
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        check(unsafe { libc::fstat(self.fd.as_raw_fd(), &mut stat) })?;
        Ok(status_of(&stat))
    }

    /// Takes the creation lock: exclusive (creating, removing) or shared (looking whether a
    /// creator is alive). `false` when `wait` is off and someone else holds it.
    pub fn lock(&self, exclusive: bool, wait: bool) -> io::Result<bool> {
        let mut operation = if exclusive {
            libc::LOCK_EX
        } else {
            libc::LOCK_SH
        };
        if !wait {
            operation |= libc::LOCK_NB;
        }
        loop {
            // SAFETY: the descriptor is open.
            match check(unsafe { libc::flock(self.fd.as_raw_fd(), operation) }) {
                Ok(()) => return Ok(true),
                Err(error) if error.raw_os_error() == Some(libc::EWOULDBLOCK) => return Ok(false),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Sizes a new object and commits its pages or disk blocks (a later write into a full
    /// /dev/shm or disk would be a SIGBUS); the error of `posix_fallocate` comes back as is.
    pub fn allocate(&self, size: u64) -> io::Result<()> {
        // SAFETY: the descriptor is open.
        check(unsafe { libc::ftruncate(self.fd.as_raw_fd(), size as libc::off_t) })?;
        // SAFETY: as above.
        match unsafe { libc::posix_fallocate(self.fd.as_raw_fd(), 0, size as libc::off_t) } {
            0 => Ok(()),
            code => Err(io::Error::from_raw_os_error(code)),
        }
    }

    pub fn set_mode(&self, mode: u32) -> io::Result<()> {
        // SAFETY: the descriptor is open.
        check(unsafe { libc::fchmod(self.fd.as_raw_fd(), mode as libc::mode_t) })
    }

    pub fn set_owner(&self, uid: u32, gid: u32) -> io::Result<()> {
        // SAFETY: the descriptor is open.
        check(unsafe { libc::fchown(self.fd.as_raw_fd(), uid, gid) })
    }

    /// Maps the first `len` bytes, shared and writable. The mapping outlives the descriptor.
    pub fn map(&self, len: usize) -> io::Result<Mapping> {
        // SAFETY: a fresh mapping chosen by the kernel; the result is checked below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                self.fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ptr = NonNull::new(ptr.cast()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(Mapping { ptr, len })
    }
}

impl Drop for ShmFile {
    /// Lets go of the creation lock, if held: the kernel would keep it while a mapping made
    /// through this descriptor exists (a mapping holds the open file, and the lock with it).
    fn drop(&mut self) {
        // SAFETY: the descriptor is open until OwnedFd's own drop, after this.
        unsafe { libc::flock(self.fd.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// A shared mapping of a queue's object; unmapped on drop (which lets the kernel free an
/// unlinked object once every process has let go).
pub struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

impl Mapping {
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Writes the pages covering `offset..offset + len` of a file mapping to disk before
    /// returning (`msync(MS_SYNC)`; the range is widened to whole pages, as msync requires).
    pub fn sync(&self, offset: usize, len: usize) -> io::Result<()> {
        let page = page_size();
        let start = offset / page * page;
        let end = (offset + len)
            .min(self.len)
            .next_multiple_of(page)
            .min(self.len);
        if end <= start {
            return Ok(());
        }
        // SAFETY: start..end lies within the mapping and start is page aligned.
        check(unsafe {
            libc::msync(
                self.ptr.as_ptr().add(start).cast(),
                end - start,
                libc::MS_SYNC,
            )
        })
    }
}

fn page_size() -> usize {
    // SAFETY: no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096).max(1)
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the range was mapped by `map` and nothing refers to it any more (references
        // into it borrow the Segment that owns this Mapping).
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}
