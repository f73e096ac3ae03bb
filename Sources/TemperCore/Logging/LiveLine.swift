import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// The one line at the bottom of a terminal that shows what is running now. Log lines are
/// printed above it; when stderr is not a terminal (CI, pipes) there is no live line at all,
/// only plain lines.
public final class LiveLine: @unchecked Sendable {
    public static let shared = LiveLine()

    private let lock = NSLock()
    private var current = ""
    public let enabled: Bool

    init() {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        enabled = isatty(STDERR_FILENO) != 0 && term != "dumb" && !term.isEmpty
    }

    /// Prints a finished line above the live one.
    public func print(_ line: String) {
        lock.withLock {
            var text = ""
            if enabled && !current.isEmpty { text += "\r\u{1B}[K" }
            text += line
            if enabled && !current.isEmpty { text += current }
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Replaces the live line (an empty string removes it).
    public func show(_ line: String) {
        guard enabled else { return }
        lock.withLock {
            current = line
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        }
    }
}
