import Foundation
import Logging

/// Progress lines for the terminal, sent through swift-log with the stage as metadata, so the
/// same events can go to any log handler.
public struct TerminalProgress: ProgressSink {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func stageStarted(_ stage: String, reason: String) {
        logger.info("running: \(reason)", metadata: ["stage": .string(stage)])
    }

    public func stageRunning(_ stage: String, seconds: Double) {
        logger.info("still running (\(Int(seconds)) s)", metadata: ["stage": .string(stage)])
    }

    public func stageFinished(_ stage: String, outcome: StageOutcome, seconds: Double, note: String?) {
        var text = outcome.rawValue
        if outcome != .reused { text += String(format: " in %.1f s", seconds) }
        if let note { text += " — \(note)" }
        let level: Logger.Level = outcome == .failed || outcome == .interrupted ? .error : .notice
        logger.log(level: level, "\(text)", metadata: ["stage": .string(stage)])
    }

    public func itemFinished(_ stage: String, item: String, done: Int, total: Int, ok: Bool) {
        logger.info("\(item) \(ok ? "done" : "failed") (\(done)/\(total) tasks)", metadata: ["stage": .string(stage)])
    }
}

/// Prints `[stage] message` lines to stderr; the raw output of tools goes to log files instead.
public struct TerminalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let start = ContinuousClock.now

    public init(level: Logger.Level) {
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let elapsed = start.duration(to: .now).components.seconds
        let clock = String(format: "%02d:%02d", elapsed / 60, elapsed % 60)
        var line = clock + " "
        if let stage = all["stage"] { line += "[\(stage)] " }
        switch event.level {
        case .warning: line += "warning: "
        case .error, .critical: line += "error: "
        default: break
        }
        line += "\(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
