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
        subcommands: [RunCommand.self, PlanCommand.self, StatusCommand.self, CleanCommand.self, BenchCommand.self, DoctorCommand.self, ReportCommand.self])
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

    func pipelineOptions() throws -> PipelineRun.Options {
        var options = PipelineRun.Options()
        if let jobs {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            options.jobs = jobs
        }
        options.workDir = workdir
        options.llvmBin = llvmBin
        options.baseline = baseline ? true : nil
        options.compiler = compiler
        options.bolt = bolt
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
