import TemperModel
import Foundation

/// The last lines of a log file: what a failure message shows of a tool's output.
public enum LogTail {
    public static func read(_ path: String, lines: Int = 20, maxBytes: Int = 64 * 1024) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(maxBytes) ? size - UInt64(maxBytes) : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines + 1).joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text of a log from a byte offset on (a later part of a stage's log).
    public static func text(of path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }

    /// The tail indented for a multi-line error message.
    public static func indented(_ path: String, lines: Int = 20) -> String {
        let tail = read(path, lines: lines)
        if tail.isEmpty { return "    (no output)" }
        return tail.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    | " + $0 }.joined(separator: "\n")
    }
}
