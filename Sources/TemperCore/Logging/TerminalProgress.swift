import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// Progress for the terminal, sent through swift-log with the stage as metadata (so the same
/// events can go to any log handler), plus a live line on a TTY: the running stage, its elapsed
/// time, tasks done out of the total and the slowest running task.
public final class TerminalProgress: ProgressSink, @unchecked Sendable {
    let logger: Logger
    let live: LiveLine
    private let lock = NSLock()
    private var stage = ""
    private var started = ContinuousClock.now
    private var done = 0
    private var total = 0
    private var running: [String: ContinuousClock.Instant] = [:]
    private var ticker: Task<Void, Never>?

    public init(logger: Logger, live: LiveLine = .shared) {
        self.logger = logger
        self.live = live
    }

    public func stageStarted(_ stage: String, reason: String) {
        logger.info("running: \(reason)", metadata: ["stage": .string(stage)])
        lock.withLock {
            self.stage = stage
            started = .now
            done = 0
            total = 0
            running = [:]
            ticker?.cancel()
            guard live.enabled else { return }
            ticker = Task { [weak self] in
                while !Task.isCancelled {
                    self?.redraw()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// The live line: "[train] 12 s, 3/10 tasks, slowest running: fib (8 s)".
    func redraw() {
        let line: String = lock.withLock {
            var text = "[\(stage)] \(started.duration(to: .now).components.seconds) s"
            if total > 0 { text += ", \(done)/\(total) tasks" }
            if let slowest = running.min(by: { $0.value < $1.value }) {
                text += ", slowest running: \(slowest.key) (\(slowest.value.duration(to: .now).components.seconds) s)"
            }
            return text
        }
        live.show(line)
    }

    public func stageRunning(_ stage: String, seconds: Double) {
        // On a terminal the live line already shows this.
        if !live.enabled {
            logger.info("still running (\(Int(seconds)) s)", metadata: ["stage": .string(stage)])
        }
    }

    public func stageFinished(_ stage: String, outcome: StageOutcome, seconds: Double, note: String?) {
        lock.withLock {
            ticker?.cancel()
            ticker = nil
        }
        live.show("")
        var text = outcome.rawValue
        if outcome != .reused { text += String(format: " in %.1f s", seconds) }
        if let note { text += " — \(note)" }
        let level: Logger.Level = outcome == .failed || outcome == .interrupted ? .error : .notice
        logger.log(level: level, "\(text)", metadata: ["stage": .string(stage)])
    }

    public func itemStarted(_ stage: String, item: String, total: Int) {
        lock.withLock {
            running[item] = .now
            self.total = total
        }
        if live.enabled { redraw() }
    }

    public func itemFinished(_ stage: String, item: String, done: Int, total: Int, ok: Bool) {
        lock.withLock {
            running[item] = nil
            self.done = done
            self.total = total
        }
        if live.enabled { redraw() }
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
        LiveLine.shared.print(line)
    }
}
