import TemperModel
import Foundation

/// Files temper makes outside its work dir (bundles, rendered reports) must not exist yet:
/// temper never overwrites anything it did not make. The bytes go to a temp file created
/// exclusively beside the target, which is then hard-linked into place (link fails on any
/// existing name, a dangling symlink included), so no reader ever sees a torn file.
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

    public static func write(_ data: Data, to path: String) throws {
        try check(path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let temp = directory + "/.temper-new-" + UUID().uuidString
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { unlink(temp) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            throw Failure.cannotWrite(path: path, reason: error.localizedDescription)
        }
        guard link(temp, path) == 0 else {
            if errno == EEXIST { throw Failure.exists(path) }
            throw Failure.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }
}


extension NewFile.Failure: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
