import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file temper did not make, only when it is a regular file (or a symlink to one) of
/// at most `limit` bytes: a FIFO or a device node would block or never end.
public enum RegularFile {
    public static func contents(_ path: String, limit: Int) -> Data? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else { return nil }
        guard let data = FileManager.default.contents(atPath: path), data.count <= limit else { return nil }
        return data
    }
}
