import TemperModel
import Crypto
import Foundation

/// SHA-256 over labelled, length-prefixed fields, so that no two different inputs hash alike
/// by concatenation ("ab"+"c" vs "a"+"bc").
public struct Fingerprint: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func add(_ label: String, _ value: String) {
        for field in [label, value] {
            let bytes = Array(field.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
    }

    public mutating func add(_ label: String, _ command: Command) {
        add(label + ".executable", command.executable)
        add(label + ".arguments", command.arguments.joined(separator: "\u{0}"))
        add(label + ".environment", command.environment.keys.sorted().map { "\($0)=\(command.environment[$0]!)" }.joined(separator: "\u{0}"))
        add(label + ".directory", command.workingDirectory)
        add(label + ".timeout", command.timeout.map { "\($0)" } ?? "none")
    }

    public func finalize() -> String {
        hasher.finalize().hex
    }
}

extension SHA256.Digest {
    /// Lower-case hex, the form every digest in state, reports and bundles takes.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// SHA-256 of file contents, streamed.
public enum FileDigest {
    /// nil unless `path` is (or links to) a regular file: opened without blocking and checked
    /// before a byte is read, so a FIFO or a device in a tree temper did not make never hangs it.
    public static func sha256(of path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return nil
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().hex
    }

    /// SHA-256 of bytes in memory.
    public static func sha256(of data: Data) -> String {
        SHA256.hash(data: data).hex
    }
}
