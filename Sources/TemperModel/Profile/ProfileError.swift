/// Problems with a pipeline profile. Each names the file, the place and what was expected;
/// all map to exit status 2.
public enum ProfileError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case syntax(file: String, line: Int, column: Int, message: String)
    case unknownKey(file: String, keyPath: String, line: Int?, allowed: [String], suggestion: String?)
    case wrongType(file: String, keyPath: String, line: Int?, expected: String, found: String)
    case missingKey(file: String, keyPath: String, expected: String)
    case invalidValue(file: String, keyPath: String, line: Int?, message: String)

    public var description: String {
        func place(_ file: String, _ line: Int?) -> String { line.map { "\(file):\($0)" } ?? file }
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the pipeline profile: \(reason)"
        case .syntax(let file, let line, let column, let message):
            return "\(file):\(line):\(column): TOML syntax error: \(message)"
        case .unknownKey(let file, let keyPath, let line, let allowed, let suggestion):
            var text = "\(place(file, line)): unknown key `\(keyPath)`"
            if let suggestion { text += "; did you mean `\(suggestion)`?" }
            return text + " Allowed here: \(allowed.joined(separator: ", "))."
        case .wrongType(let file, let keyPath, let line, let expected, let found):
            return "\(place(file, line)): `\(keyPath)` must be \(expected), found \(found)."
        case .missingKey(let file, let keyPath, let expected):
            return "\(file): missing required key `\(keyPath)` (\(expected))."
        case .invalidValue(let file, let keyPath, let line, let message):
            return "\(place(file, line)): `\(keyPath)`: \(message)"
        }
    }
}


extension ProfileError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
