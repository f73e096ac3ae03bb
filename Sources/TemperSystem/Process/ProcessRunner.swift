import TemperModel
import Foundation
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The one seam through which temper starts processes. Stages only build `Command` values;
/// tests can substitute a runner, and every real process goes through `SubprocessRunner`.
public protocol ProcessRunning: Sendable {
    /// Runs `command` in a process group of its own, appending its stdout and stderr to `logPath`.
    /// Cancellation of the calling task stops the whole group. `annotate` adds the command line
    /// before the output and the exit status after it, for people reading the log.
    func run(_ command: Command, logPath: String, annotate: Bool) async throws -> ProcessOutcome
}

extension ProcessRunning {
    public func run(_ command: Command, logPath: String) async throws -> ProcessOutcome {
        try await run(command, logPath: logPath, annotate: true)
    }
}

/// Runs commands with swift-subprocess, each in a new process group, so that Ctrl-C, a
/// timeout or cancellation can stop the command and everything it started.
public struct SubprocessRunner: ProcessRunning {
    let ledger: ProcessGroupLedger?

    public init(ledger: ProcessGroupLedger? = nil) {
        self.ledger = ledger
    }

    public func run(_ command: Command, logPath: String, annotate: Bool) async throws -> ProcessOutcome {
        let log: FileDescriptor
        do {
            log = try FileDescriptor.open(
                FilePath(logPath), .writeOnly, options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw ProcessError.cannotOpenLog(path: logPath, reason: "\(error)")
        }
        defer { try? log.close() }
        var header = "\n$ cd \(ShellQuote.quote(command.workingDirectory))\n"
        if !command.environment.isEmpty { header += "$ export \(command.displayEnvironment)\n" }
        header += "$ \(command.displayString)\n"
        if annotate { _ = try? log.writeAll(Array(header.utf8)) }

        var inherited = ProcessInfo.processInfo.environment
        if let ledger { inherited[ProcessGroupLedger.markKey] = ledger.mark }
        // Marks everything this command starts, so that a timeout or a cancellation also stops
        // what escaped its process group (setsid, daemons).
        let commandMark = UUID().uuidString
        inherited[Self.commandMarkKey] = commandMark
        let environment = Environment.custom(Dictionary(
            inherited.merging(command.environment) { _, new in new }
                .map { (Environment.Key(stringLiteral: $0.key), $0.value) },
            uniquingKeysWith: { _, new in new }))
        let options = Self.platformOptions
        // A relative path with a slash ("./speedtest1") is relative to the command's directory.
        let executable: Executable =
            command.executable.hasPrefix("/") ? .path(FilePath(command.executable))
            : command.executable.contains("/") ? .path(FilePath(command.workingDirectory + "/" + command.executable))
            : .name(command.executable)
        let ledger = self.ledger
        let start = ContinuousClock.now

        var termination: ProcessOutcome.Termination?
        // ETXTBSY: another thread of temper was writing an executable (a task's patched copy)
        // when this process forked, so the child briefly held it open for writing and exec
        // failed. The file is complete; launching again after a moment succeeds.
        var attempt = 0
        while termination == nil {
            do {
                termination = try await withThrowingTaskGroup(
                    of: ProcessOutcome.Termination?.self
                ) { group in
                    group.addTask {
                        let result = try await Subprocess.run(
                            executable,
                            arguments: Arguments(command.arguments),
                            environment: environment,
                            workingDirectory: FilePath(command.workingDirectory),
                            platformOptions: options,
                            input: .none,
                            output: .fileDescriptor(log, closeAfterSpawningProcess: false),
                            error: .fileDescriptor(log, closeAfterSpawningProcess: false)
                        ) { execution in
                            let group = execution.processIdentifier.value
                            await ledger?.started(group: group)
                            return group
                        }
                        let group = result.closureResult
                        // Stragglers the command left behind in its group must not outlive it.
                        _ = kill(-group, SIGKILL)
                        await ledger?.finished(group: group)
                        switch result.terminationStatus {
                        case .exited(let code): return .exited(code)
                        case .signaled(let signal): return .signaled(signal)
                        }
                    }
                    // Profiles bound timeouts; a value that is not a usable duration means no limit.
                    if let timeout = command.timeout, timeout.isFinite, timeout > 0, timeout < 1e9 {
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                            return .timedOut(seconds: timeout)
                        }
                    }
                    do {
                        let first = try await group.next()!
                        group.cancelAll()
                        return first
                    } catch let error as SubprocessError {
                        if error.underlyingError == .textFileBusy {
                            group.cancelAll()
                            return nil
                        }
                        throw ProcessError.launchFailed(command: command.displayString, reason: "\(error)")
                    }
                }
                try Task.checkCancellation()
                if termination == nil {
                    attempt += 1
                    guard attempt < 8 else {
                        throw ProcessError.launchFailed(command: command.displayString, reason: "the executable stayed busy (being written: ETXTBSY)")
                    }
                    try await Task.sleep(for: .milliseconds(20 * attempt))
                }
            } catch {
                ProcessGroupLedger.stopMarked(key: Self.commandMarkKey, value: commandMark)
                throw error
            }
        }
        guard let termination else { throw CancellationError() }
        if case .timedOut = termination {
            ProcessGroupLedger.stopMarked(key: Self.commandMarkKey, value: commandMark)
        }
        let seconds = start.duration(to: .now).seconds
        let footer = "# \(ProcessOutcome(termination: termination, seconds: seconds, logPath: logPath).statusDescription) after \(String(format: "%.1f", seconds)) s\n"
        if annotate { _ = try? log.writeAll(Array(footer.utf8)) }
        return ProcessOutcome(termination: termination, seconds: seconds, logPath: logPath)
    }
}

extension SubprocessRunner {
    /// The environment variable that marks every process one command starts.
    public static let commandMarkKey = "TEMPER_COMMAND_ID"

    /// A new process group per command; teardown signals the whole group, TERM then KILL.
    static var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        return options
    }
}

extension Duration {
    package var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
