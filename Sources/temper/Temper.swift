import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import Logging
import TemperCore

@main
struct Temper: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "PGO + LTO for C/C++ projects as one staged, resumable pipeline.",
        discussion: """
            Exit status: 0 success, 1 a stage failed, 2 bad input or usage, 3 toolchain problem, \
            4 work dir in use by another run, 130 interrupted.
            """,
        version: TemperVersion.current,
        subcommands: [RunCommand.self, PlanCommand.self, StatusCommand.self, CleanCommand.self, BenchCommand.self, DoctorCommand.self, ReportCommand.self, BundleCommand.self])

    /// One error path for the whole CLI: every error, the argument parser's included, ends in
    /// one of the documented exit statuses (usage errors are 2, never the parser's 64).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data((helpMessage() + "\n\ntemper: error: no subcommand given.\n").utf8))
            Foundation.exit(ExitStatus.badInput)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            // Terminal.fail has printed the message and chosen the status.
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version
                print(fullMessage(for: error))
                Foundation.exit(ExitStatus.success)
            }
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            FileHandle.standardError.write(Data("temper: error: \(message)\n".utf8))
            Foundation.exit(ExitStatus.badInput)
        }
    }
}

/// Options shared by the commands that read a profile.
struct ProfileOptions: ParsableArguments {
    @Argument(help: "The pipeline profile (TOML), e.g. Profiles/demo.toml.")
    var profile: String

    @Option(help: "Work dir (default: .temper/NAME).")
    var workdir: String?

    @Option(name: .customLong("llvm-bin"), help: "Take every LLVM tool from this directory.")
    var llvmBin: String?

    @Option(help: "Parallel build and merge jobs (default: the number of CPUs).")
    var jobs: Int?

    @Flag(help: "Also build the baseline (same base flags, no PGO/LTO).")
    var baseline = false

    @Flag(inversion: .prefixedNo, help: "Add (or leave out) the BOLT stages, overriding [bolt] enabled.")
    var bolt: Bool?

    @Option(help: "Compiler family, overriding the profile's: clang or gcc. Another family than the profile's gets its own work dir (.temper/NAME-gcc).")
    var compiler: CompilerFamily?

    @Option(name: .customLong("profile-bundle"), help: "Build from this profile bundle (temper bundle export) instead of training; overrides [profile] bundle.")
    var profileBundle: String?

    @Option(help: "Wrap the compilers of every build in this launcher, e.g. ccache (repeat for more words); overrides [build] launcher.")
    var launcher: [String] = []

    @Option(help: "Run only these training tasks (comma-separated): one machine's share, to combine with `temper bundle merge`.")
    var tasks: String?

    @Option(name: .customLong("thinlto-cache"), help: "Keep the ThinLTO cache in this directory (shared by work dirs), not in the work dir; overrides [optimize] thinlto_cache.")
    var thinLTOCache: String?

    func validate() throws {
        if let jobs, !(1...1024).contains(jobs) {
            throw ValidationError("--jobs must be between 1 and 1024, got \(jobs)")
        }
        if let profileBundle, profileBundle.isEmpty {
            throw ValidationError("--profile-bundle needs a file path")
        }
        if let tasks, tasks.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }).contains(where: \.isEmpty) || tasks.isEmpty {
            throw ValidationError("--tasks needs task names separated by commas, e.g. --tasks pgo-shard-1,pgo-shard-2")
        }
        if let thinLTOCache, thinLTOCache.isEmpty {
            throw ValidationError("--thinlto-cache needs a directory")
        }
        if launcher.contains(where: \.isEmpty) {
            throw ValidationError("--launcher needs a command, e.g. --launcher ccache")
        }
    }

    func pipelineOptions() -> PipelineRun.Options {
        var options = PipelineRun.Options()
        if let jobs { options.jobs = jobs }
        options.workDir = workdir
        options.llvmBin = llvmBin
        options.baseline = baseline ? true : nil
        options.compiler = compiler
        options.bolt = bolt
        options.profileBundle = profileBundle
        options.launcher = launcher.isEmpty ? nil : launcher
        options.thinLTOCache = thinLTOCache
        options.tasks = tasks.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        return options
    }
}

/// The work dir of commands that take no profile (status, clean).
struct WorkDirOption: ParsableArguments {
    @Option(help: "Work dir (default: the only one under .temper/).")
    var workdir: String?

    func resolve() throws -> WorkDir {
        try workdir.map { WorkDir(root: $0) } ?? StatusReader.defaultWorkDir()
    }
}

extension CompilerFamily: ExpressibleByArgument {}

/// A stage name on the command line; unknown names are usage errors (exit 2) before anything runs.
extension StageID: ExpressibleByArgument {
    public init?(argument: String) {
        guard StageID.pipelineOrder.contains(StageID(argument)) else { return nil }
        self.init(argument)
    }

    public static var allValueStrings: [String] { pipelineOrder.map(\.rawValue) }
}

enum Terminal {
    static func logger(verbose: Bool = false) -> Logger {
        var logger = Logger(label: "temper") { _ in TerminalLogHandler(level: verbose ? .debug : .info) }
        logger.logLevel = verbose ? .debug : .info
        return logger
    }

    /// Prints the error and exits with temper's status for it.
    static func fail(_ error: any Error) -> ExitCode {
        let status = ExitStatus.of(error)
        let prefix = status == ExitStatus.interrupted ? "interrupted" : "error"
        FileHandle.standardError.write(Data("temper: \(prefix): \(error)\n".utf8))
        return ExitCode(status)
    }

    /// Runs `body` in a task that SIGINT and SIGTERM cancel; cancellation stops the running
    /// stage's whole process group and leaves the work dir resumable.
    static func cancellable<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        return try await task.value
    }
}
