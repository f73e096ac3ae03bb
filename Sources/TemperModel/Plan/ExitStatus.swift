/// temper's exit statuses, a public contract: 0 success, 1 a stage failed, 2 bad input or
/// usage, 3 toolchain problem, 4 work dir in use by another run, 130 interrupted.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let stageFailed: Int32 = 1
    public static let badInput: Int32 = 2
    public static let toolchain: Int32 = 3
    public static let workDirBusy: Int32 = 4
    public static let interrupted: Int32 = 130

    /// The status an error maps to. Each area's error says its own status (`ExitCoded`), so
    /// this floor needs to know none of them; anything else is a failed stage.
    public static func of(_ error: any Error) -> Int32 {
        if let coded = error as? any ExitCoded { return coded.exitStatus }
        if error is CancellationError { return interrupted }
        return stageFailed
    }
}

/// An error that knows which exit status it means: every area's error enum conforms.
public protocol ExitCoded: Error {
    var exitStatus: Int32 { get }
}
