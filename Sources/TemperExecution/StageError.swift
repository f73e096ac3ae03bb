import TemperModel
import TemperSystem
/// A stage that ran and failed. The message carries the command, its status, the tail of its
/// output and the full log path; all map to exit status 1.
public struct StageError: Error, CustomStringConvertible, Equatable {
    public var stage: String
    public var message: String

    public init(stage: String, message: String) {
        self.stage = stage
        self.message = message
    }

    public static func toolFailed(stage: String, step: String, command: Command, outcome: ProcessOutcome, hint: String? = nil) -> StageError {
        var text = "\(step) failed (\(outcome.statusDescription)):\n  $ \(command.displayString)\n"
        text += "  in \(command.workingDirectory)\n  last lines of output:\n\(LogTail.indented(outcome.logPath))\n"
        text += "  full log: \(outcome.logPath)"
        if let hint { text += "\n  \(hint)" }
        return StageError(stage: stage, message: text)
    }

    public var description: String { "stage \(stage) failed: \(message)" }
}
