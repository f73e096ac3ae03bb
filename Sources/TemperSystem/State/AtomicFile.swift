import TemperModel
import Foundation

/// Writes a file so that readers see either the old or the new content, never a torn one:
/// temp file in the same directory, fsync, rename. `durable: false` skips the fsync, for files
/// that only need to survive the process (not the machine) and must be written fast.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, durable: Bool = true) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = directory + "/.\(url.lastPathComponent).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temp])
        }
        if durable {
            let fd = open(temp, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); _ = close(fd) }
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: reason])
        }
    }
}
