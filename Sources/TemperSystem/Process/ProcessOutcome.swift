import TemperModel
/// How a finished process ended, with enough context to explain a failure.
public struct ProcessOutcome: Sendable, Equatable {
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut(seconds: Double)
    }

    public var termination: Termination
    public var seconds: Double
    public var logPath: String

    public init(termination: Termination, seconds: Double, logPath: String) {
        self.termination = termination
        self.seconds = seconds
        self.logPath = logPath
    }

    public var succeeded: Bool { termination == .exited(0) }

    public var statusDescription: String {
        switch termination {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        case .timedOut(let seconds): return "timed out after \(Int(seconds)) s (its process group was stopped)"
        }
    }
}
