import TemperModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<workdir>/lock`, held for the life of a run. The kernel drops it
/// when the process dies, even by SIGKILL, so a killed run never leaves a stale lock.
public final class WorkDirLock: @unchecked Sendable {
    private var descriptor: Int32

    public init(workDir: WorkDir) throws {
        try workDir.makeDirectory(workDir.root)
        // O_CLOEXEC: child processes must not inherit (and so keep) the lock.
        let fd = open(workDir.lockFile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw WorkDirError.cannotLock(root: workDir.root, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            // The holder writes its pid just after taking the lock: give it a moment.
            var holder = ""
            for _ in 0..<20 {
                holder = ((try? String(contentsOfFile: workDir.lockFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if !holder.isEmpty { break }
                usleep(10_000)
            }
            close(fd)
            throw WorkDirError.busy(root: workDir.root, holder: holder.isEmpty ? "a run that is just starting or ending" : "pid \(holder)")
        }
        _ = ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    /// The pid of a live run holding the work dir, read from the lock file (the holder writes
    /// it after taking the lock and clears it on release; a killed holder leaves a dead pid).
    public static func livePID(_ workDir: WorkDir) -> Int32? {
        guard let text = RegularFile.contents(workDir.lockFile, limit: 64).map({ String(decoding: $0, as: UTF8.self) }),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0 || errno == EPERM
        else { return nil }
        return pid
    }

    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
