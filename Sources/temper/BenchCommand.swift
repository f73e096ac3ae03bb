import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the [bench] workload on each built variant (baseline, pgo-lto, bolt) and keep the figures.",
        discussion: """
            Builds the baseline first if it is missing. Rounds are interleaved and shuffled; wall time is \
            reported as median and MAD, with the ratio to baseline and a 95% bootstrap confidence interval \
            of the ratio of medians. --instructions adds callgrind counts (deterministic).
            """)

    @OptionGroup var location: ProfileLocation

    @Option(help: "Measured rounds; each runs every variant once, in shuffled order.")
    var runs = 5

    @Option(help: "Rounds run first and discarded.")
    var warmup = 1

    @Option(help: "Comma-separated variants: baseline, pgo-lto, bolt (default: every built one).")
    var variants: String?

    @Flag(help: "Also count executed instructions with callgrind (one run each; needs valgrind).")
    var instructions = false

    @Option(help: "An earlier result (bench/history/*.json) to show the change against.")
    var compare: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be between 1 and 10000, got \(runs)") }
        guard (0...1_000).contains(warmup) else { throw ValidationError("--warmup must be between 0 and 1000, got \(warmup)") }
        _ = try parsedVariants()
        if let compare, !FileManager.default.isReadableFile(atPath: compare) {
            throw ValidationError("--compare \(compare): no such readable file")
        }
    }

    func parsedVariants() throws -> [BenchRun.Variant]? {
        try variants.map { list in
            let names = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return try names.map { name in
                guard let variant = BenchRun.Variant(rawValue: name) else {
                    throw ValidationError("unknown variant `\(name)` in --variants; use baseline, pgo-lto or bolt")
                }
                return variant
            }
        }
    }

    func run() async throws {
        var bench = BenchRun.Options()
        bench.runs = runs
        bench.warmup = warmup
        bench.instructions = instructions
        bench.variants = try parsedVariants()
        let old: BenchResult?
        do {
            old = try compare.map { try JSONDecoder().decode(BenchResult.self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }
        } catch {
            throw ValidationError("--compare \(compare ?? ""): not a temper bench result (bench/history/*.json)")
        }
        var pipeline = PipelineRun.Options()
        pipeline.workDir = location.workdir
        let logger = Terminal.logger()
        let profilePath = location.profile
        let runOptions = pipeline
        let benchOptions = bench
        let result = try await Terminal.cancellable {
            try await BenchSession(progress: TerminalProgress(logger: logger), logger: logger)
                .run(profilePath: profilePath, pipeline: runOptions, bench: benchOptions)
        }
        if json {
            print(String(decoding: try JSONEncoder.temper.encode(result), as: UTF8.self))
        } else {
            print("bench: \(result.command) (\(result.runs) rounds after \(result.warmup) warmup)")
            print(result.render())
            if let old { print(result.comparison(to: old)) }
        }
    }
}
