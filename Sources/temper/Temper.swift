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
        subcommands: [RunCommand.self, PlanCommand.self, StatusCommand.self, CleanCommand.self, BenchCommand.self, TuneCommand.self, DoctorCommand.self, ReportCommand.self, BundleCommand.self])

    /// Two phases, one error path each. Parsing: every argument-parser error is a usage
    /// error (exit 2, never the parser's 64); --help and --version exit 0. Running: every
    /// error goes through `Terminal.fail`, which prints it and picks its documented status.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data((helpMessage() + "\n\ntemper: error: no subcommand given.\n").utf8))
            Foundation.exit(ExitStatus.badInput)
        }
        let parsed: any ParsableCommand
        do {
            parsed = try parseAsRoot(arguments)
        } catch {
            Foundation.exit(usage(error))
        }
        do {
            var command = parsed
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            // A command that printed its own verdict (doctor) chose the status.
            Foundation.exit(code.rawValue)
        } catch where exitCode(for: error) != .failure {
            // The parser's own errors surface here too (--help, --version, a value checked
            // only when the command runs, such as a --compare file's content).
            Foundation.exit(usage(error))
        } catch {
            Foundation.exit(Terminal.fail(error))
        }
    }

    /// Prints a parse or validation error (or the help text) and returns its status.
    static func usage(_ error: any Error) -> Int32 {
        var message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            print(message)
            return ExitStatus.success
        }
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        FileHandle.standardError.write(Data("temper: error: \(message)\n".utf8))
        return ExitStatus.badInput
    }
}

/// The profile and its work dir: every command that reads a profile takes these two.
struct ProfileLocation: ParsableArguments {
    @Argument(help: "The pipeline profile (TOML), e.g. Profiles/demo.toml.")
    var profile: String

    @Option(help: "Work dir (default: .temper/NAME).")
    var workdir: String?
}

/// `--llvm-bin`: where every LLVM tool comes from.
struct LLVMBinOption: ParsableArguments {
    @Option(name: .customLong("llvm-bin"), help: "Take every LLVM tool from this directory.")
    var llvmBin: String?
}

/// The toolchain flags: the LLVM directory and the compiler family.
struct ToolchainOptions: ParsableArguments {
    @OptionGroup var llvm: LLVMBinOption

    @Option(help: "Compiler family, overriding the profile's: clang or gcc. Another family than the profile's gets its own work dir (.temper/NAME-gcc).")
    var compiler: CompilerFamily?

    var llvmBin: String? { llvm.llvmBin }
}

/// Options shared by the commands that run or plan a pipeline.
struct ProfileOptions: ParsableArguments {
    @OptionGroup var location: ProfileLocation

    @OptionGroup var toolchain: ToolchainOptions

    var profile: String { location.profile }

    @Option(help: "Parallel build and merge jobs (default: the number of CPUs).")
    var jobs: Int?

    @Flag(help: "Also build the baseline (same base flags, no PGO/LTO).")
    var baseline = false

    @Flag(inversion: .prefixedNo, help: "Add (or leave out) the BOLT stages, overriding [bolt] enabled.")
    var bolt: Bool?

    @Option(name: .customLong("profile-bundle"), help: "Build from this profile bundle (temper bundle export) instead of training; overrides [profile] bundle.")
    var profileBundle: String?

    @Option(help: "Wrap the compilers of every build in this launcher, e.g. ccache (repeat for more words); overrides [build] launcher.")
    var launcher: [String] = []

    @Option(help: "Run only these training tasks (comma-separated): one machine's share, to combine with `temper bundle merge`.")
    var tasks: String?

    @Option(help: ArgumentHelp("Apply this decision file (`temper tune` writes it) exactly: its configuration, no selection rounds.", valueName: "file"))
    var decision: String?

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
        if let decision, decision.isEmpty {
            throw ValidationError("--decision needs the decision.json that `temper tune` wrote")
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
        options.workDir = location.workdir
        options.llvmBin = toolchain.llvmBin
        options.baseline = baseline ? true : nil
        options.compiler = toolchain.compiler
        options.bolt = bolt
        options.profileBundle = profileBundle
        options.launcher = launcher.isEmpty ? nil : launcher
        options.thinLTOCache = thinLTOCache
        options.decision = decision
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
        guard PipelineComposer.stageOrder.contains(StageID(argument)) else { return nil }
        self.init(argument)
    }

    public static var allValueStrings: [String] { PipelineComposer.stageOrder.map(\.rawValue) }
}

enum Terminal {
    static func logger(verbose: Bool = false) -> Logger {
        var logger = Logger(label: "temper") { _ in TerminalLogHandler(level: verbose ? .debug : .info) }
        logger.logLevel = verbose ? .debug : .info
        return logger
    }

    /// Prints a run error and returns temper's status for it: the one place a run's error
    /// becomes a message and an exit status.
    static func fail(_ error: any Error) -> Int32 {
        let status = ExitStatus.of(error)
        let prefix = status == ExitStatus.interrupted ? "interrupted" : "error"
        FileHandle.standardError.write(Data("temper: \(prefix): \(error)\n".utf8))
        return status
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
