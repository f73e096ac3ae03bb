import TemperModel
/// Problems with a profile bundle or a bundle command. A bundle that cannot be read, or does
/// not fit the pipeline, is bad input (exit 2); a profile format the toolchain cannot read is
/// a toolchain problem (`ToolchainError.profileFormat`, exit 3).
public enum BundleError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)
    case cannotExport(workDir: String, reason: String)
    case wontOverwrite(String)
    case unwritable(path: String, reason: String)
    case badWeights(String)
    case mismatch(String)

    /// What a bundle or a tar entry says is escaped: this text reaches the terminal.
    public var description: String { TerminalText.escaped(rawDescription, keepingLines: true) }

    var rawDescription: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the profile bundle \(path): \(reason)."
        case .invalid(let path, let reason):
            return "\(path) is not a usable temper profile bundle: \(reason). Make one with `temper bundle export`."
        case .cannotExport(let workDir, let reason):
            return "cannot export a bundle from \(workDir): \(reason)"
        case .wontOverwrite(let path):
            return "\(path) already exists; temper never overwrites a file it did not make. Choose another -o path or remove it."
        case .unwritable(let path, let reason):
            return "cannot write the profile bundle \(path): \(reason). Choose another -o path."
        case .badWeights(let reason):
            return "--weights: \(reason)"
        case .mismatch(let reason):
            return "the bundles cannot be combined: \(reason)"
        }
    }
}

extension BundleError {
    init(_ failure: NewFile.Failure) {
        switch failure {
        case .exists(let path): self = .wontOverwrite(path)
        case .cannotWrite(let path, let reason): self = .unwritable(path: path, reason: reason)
        }
    }
}

/// temper's own version, recorded in bundles.
public enum TemperVersion {
    public static let current = "0.14.0"
}


extension BundleError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
