import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Build and measure a matrix of configurations ([tune], or BOLT off/on and PIE or not), decide once, and write a decision file.",
        discussion: """
            Every variant is built (training shared), verified, counted twice with cachegrind (instructions, \
            simulated I1/LLi misses, branch mispredictions) and timed in interleaved shuffled rounds against \
            the reference, with an A/A row, until every comparison is decided or the budget ends. The decision \
            goes to DIR/decision.json; `temper run PROFILE --decision FILE` applies it without measuring.
            """)

    @OptionGroup var location: ProfileLocation

    @Option(help: ArgumentHelp("How long the tune may take, builds included, e.g. 90s, 20m, 2h (default: [tune] budget, else 30m).", valueName: "duration"))
    var budget: String?

    @Option(help: "Parallel build, merge and counting jobs (default: the number of CPUs).")
    var jobs: Int?

    @OptionGroup var llvm: LLVMBinOption

    @Flag(name: .customLong("no-counters"), help: "Skip the cachegrind counts (wall time only).")
    var noCounters = false

    @Flag(help: "Print the result as JSON (the tune.json contract).")
    var json = false

    func validate() throws {
        if let budget, ProfileParser.duration(budget) == nil {
            throw ValidationError("--budget \(budget): give a duration between 1 s and 7 days, e.g. 90s, 20m or 2h")
        }
        if let jobs, !(1...1024).contains(jobs) {
            throw ValidationError("--jobs must be between 1 and 1024, got \(jobs)")
        }
    }

    func run() async throws {
        var options = TuneSession.Options()
        options.workDir = location.workdir
        options.budget = budget.flatMap(ProfileParser.duration)
        if let jobs { options.jobs = jobs }
        options.llvmBin = llvm.llvmBin
        options.counters = !noCounters
        let logger = Terminal.logger()
        let profile = location.profile
        let tuneOptions = options
        let result = try await Terminal.cancellable {
            try await TuneSession(progress: TerminalProgress(logger: logger), logger: logger).run(profilePath: profile, options: tuneOptions)
        }
        if json {
            print(String(decoding: try JSONEncoder.temper.encode(result), as: UTF8.self))
        } else {
            print(TuneRenderer.markdown(result), terminator: "")
        }
    }
}
