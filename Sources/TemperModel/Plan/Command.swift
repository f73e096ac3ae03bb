/// One process to run, as a plain value: plans are lists of these, so tests can compare them
/// and `temper plan` can print them without running anything.
public struct Command: Sendable, Codable, Equatable, Hashable {
    /// An absolute path, or a name looked up on PATH.
    public var executable: String
    public var arguments: [String]
    /// Variables set on top of the inherited environment.
    public var environment: [String: String]
    public var workingDirectory: String
    /// Seconds before the whole process group is stopped; nil means no limit.
    public var timeout: Double?

    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String, timeout: Double? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
    }

    /// A shell-quoted rendering for people to read and copy; never executed by a shell.
    public var displayString: String {
        ([executable] + arguments).map(ShellQuote.quote).joined(separator: " ")
    }

    /// The command with `{jobs}` replaced in its arguments and environment values.
    public func rendering(jobs: Int) -> Command {
        var command = self
        let value = String(jobs)
        command.executable = executable.replacingOccurrences(of: "{jobs}", with: value)
        command.arguments = arguments.map { $0.replacingOccurrences(of: "{jobs}", with: value) }
        command.environment = environment.mapValues { $0.replacingOccurrences(of: "{jobs}", with: value) }
        return command
    }

    /// The environment assignments, quoted, in a stable order.
    public var displayEnvironment: String {
        environment.keys.sorted().map { "\($0)=\(ShellQuote.quote(environment[$0]!))" }
            .joined(separator: " ")
    }
}

/// POSIX shell quoting for display only (messages, logs, `temper plan`).
public enum ShellQuote {
    public static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        let safe = word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-_./=:,+%@{}".unicodeScalars.contains($0)
        }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
