import TemperModel
import Foundation

/// Files temper makes outside its work dir (bundles, rendered reports) must not exist yet:
/// temper never overwrites anything it did not make. The bytes go to an unnamed file in the
/// target's directory (O_TMPFILE), which is then linked into place (a link fails on any
/// existing name, a dangling symlink included): no reader ever sees a torn file, and a crash
/// (kill -9) leaves no temp file behind.
public enum NewFile {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case exists(String)
        case cannotWrite(path: String, reason: String)

        public var description: String {
            switch self {
            case .exists(let path):
                return "\(path) already exists; temper never overwrites a file it did not make. Choose another path or remove it."
            case .cannotWrite(let path, let reason):
                return "cannot write \(path): \(reason). Choose another path."
            }
        }
    }

    /// Checked up front, before any work: the name is free and its directory can take it.
    public static func check(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) != 0 else { throw Failure.exists(path) }
        guard !path.isEmpty, !path.hasSuffix("/") else { throw Failure.cannotWrite(path: path, reason: "it names a directory, not a file") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure.cannotWrite(path: path, reason: "the directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw Failure.cannotWrite(path: path, reason: "the directory \(directory) is not writable")
        }
    }

    /// Linux's O_TMPFILE (`__O_TMPFILE | O_DIRECTORY`), which Swift's Glibc module does not import.
    static let openTemporaryFile: Int32 = 0o20_000_000 | O_DIRECTORY

    public static func write(_ data: Data, to path: String) throws {
        try check(path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // An unnamed file in the target's directory (O_TMPFILE), linked into place when whole:
        // a crash at any point leaves nothing behind. Where the file system lacks O_TMPFILE,
        // a hidden temp file that is unlinked at once after the link.
        let unnamed = open(directory, O_WRONLY | Self.openTemporaryFile | O_CLOEXEC, 0o644)
        let temp = unnamed >= 0 ? nil : directory + "/.temper-new-" + UUID().uuidString
        let fd = unnamed >= 0 ? unnamed : open(temp!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { if let temp { unlink(temp) } }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw Failure.cannotWrite(path: path, reason: error.localizedDescription)
        }
        // link() never replaces: a file that appeared meanwhile is kept, and reported.
        let linked = temp.map { link($0, path) } ?? linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW)
        let failure = errno
        try? handle.close()
        guard linked == 0 else {
            if failure == EEXIST { throw Failure.exists(path) }
            throw Failure.cannotWrite(path: path, reason: String(cString: strerror(failure)))
        }
    }
}

extension NewFile.Failure: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
