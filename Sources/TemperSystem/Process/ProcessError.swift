import TemperModel
/// Failures of the process seam itself (as opposed to a tool that ran and failed).
public enum ProcessError: Error, CustomStringConvertible, Equatable {
    case launchFailed(command: String, reason: String)
    case cannotOpenLog(path: String, reason: String)

    public var description: String {
        switch self {
        case .launchFailed(let command, let reason):
            return "could not start `\(command)`: \(reason). Check that the program exists and is executable."
        case .cannotOpenLog(let path, let reason):
            return "cannot write the log file \(path): \(reason). Check the work dir's permissions and free space."
        }
    }
}
