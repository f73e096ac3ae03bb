/// temper's exit statuses, a public contract: 0 success, 1 a stage failed, 2 bad input or
/// usage, 3 toolchain problem, 4 work dir in use by another run, 130 interrupted.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let stageFailed: Int32 = 1
    public static let badInput: Int32 = 2
    public static let toolchain: Int32 = 3
    public static let workDirBusy: Int32 = 4
    public static let interrupted: Int32 = 130

    public static func of(_ error: any Error) -> Int32 {
        switch error {
        case is ProfileError, is SourceDigestError, is StateError, is BundleError, is TarArchive.Failure, is NewFile.Failure: return badInput
        case let error as BenchError:
            if case .failed = error { return stageFailed }
            return badInput
        case is ToolchainError: return toolchain
        case let error as WorkDirError:
            if case .busy = error { return workDirBusy }
            return badInput
        case let error as PipelineError:
            switch error {
            case .unknownStage, .unknownTask, .cannotStartFrom, .emptyRange, .replacedByBundle, .badOption: return badInput
            case .interrupted: return interrupted
            case .halted(_, let cause): return of(cause)
            }
        case is CancellationError: return interrupted
        default: return stageFailed
        }
    }
}
