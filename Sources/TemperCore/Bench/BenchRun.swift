import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// Measures the profile's `[bench]` workload on each built variant the way a careful lab would:
/// warmup rounds, then rounds in which every variant runs once in shuffled order; robust
/// statistics (median, MAD, bootstrap CI of the ratio to baseline); and, optionally, callgrind
/// instruction counts, the figure to trust on a noisy machine.
public struct BenchRun: Sendable {
    public enum Variant: String, Sendable, Codable, CaseIterable {
        /// Plain -O2 build of the same sources (the baseline stage).
        case baseline
        /// The PGO + LTO build (the optimize stage).
        case pgoLTO = "pgo-lto"
        /// The BOLTed artifacts (the bolt-optimize stage, verified).
        case bolt
    }

    public struct Options: Sendable {
        public var runs = 5
        public var warmup = 1
        public var variants: [Variant]?
        public var instructions = false

        public init() {}
    }

    let runner: any ProcessRunning
    let progress: (@Sendable (String) -> Void)?

    public init(runner: any ProcessRunning = SubprocessRunner(), progress: (@Sendable (String) -> Void)? = nil) {
        self.runner = runner
        self.progress = progress
    }

    /// Each available variant's artifact paths by file name, from the records that hold for
    /// the current inputs (never a stale BOLT or baseline result).
    public static func artifacts(profile: PipelineProfile, workDir: WorkDir, graph: StageGraph, current: [StageID: StageRecord]) -> [Variant: [String: String]] {
        var result: [Variant: [String: String]] = [:]
        let sources: [(Variant, StageID?)] = [(.baseline, graph.baselineProducer), (.pgoLTO, graph.optimizedBuild.stage), (.bolt, graph.boltResult)]
        for case let (variant, stage?) in sources {
            guard let record = current[stage] else { continue }
            var paths = profile.artifactPaths(in: graph.optimizedBuild.absolute(in: workDir))
            var found = false
            for name in profile.build.artifactNames {
                if let path = record.output(.artifact(name)) {
                    paths[name] = workDir.absolute(path)
                    found = true
                }
            }
            if found { result[variant] = paths }
        }
        return result
    }

    public static func command(profile: PipelineProfile, artifacts: [String: String]) throws -> Command {
        guard let bench = profile.bench else { throw BenchError.noBench(file: profile.file) }
        let directory = URL(fileURLWithPath: artifacts.values.sorted().first ?? "/").deletingLastPathComponent().path
        return profile.command(run: bench.run, cwd: bench.cwd, env: bench.env, timeout: nil, build: directory, directory: directory, artifacts: artifacts)
    }

    /// Refuses option values no measurement can use (the CLI checks the same bounds first).
    public static func check(_ options: Options) throws {
        guard (1...10_000).contains(options.runs) else { throw BenchError.badOptions("runs must be between 1 and 10000, got \(options.runs)") }
        guard (0...1_000).contains(options.warmup) else { throw BenchError.badOptions("warmup must be between 0 and 1000, got \(options.warmup)") }
    }

    public func run(profile: PipelineProfile, workDir: WorkDir, graph: StageGraph, current: [StageID: StageRecord], options: Options) async throws -> BenchResult {
        try Self.check(options)
        let available = Self.artifacts(profile: profile, workDir: workDir, graph: graph, current: current)
        let wanted = options.variants ?? Variant.allCases.filter { available[$0] != nil }
        for variant in wanted where available[variant] == nil {
            if variant == .bolt, let stage = graph.boltResult, current[stage] != nil {
                throw BenchError.boltNotKept(workDir: workDir.root)
            }
            throw BenchError.variantMissing(variant.rawValue, workDir: workDir.root)
        }
        guard !wanted.isEmpty else { throw BenchError.notBuilt(workDir: workDir.root) }
        let commands = try Dictionary(uniqueKeysWithValues: wanted.map { ($0, try Self.command(profile: profile, artifacts: available[$0]!)) })
        let logs = workDir.root + "/bench/logs"
        try workDir.freshDirectory(logs)
        let subjects = wanted.map { variant in
            let (command, usage) = WorkloadMeasurement.timed(commands[variant]!, usageFile: "\(logs)/\(variant.rawValue).usage")
            return InterleavedRounds<Variant>.Subject(side: variant, command: command, usageFile: usage)
        }
        let progress = self.progress
        let samples = try await InterleavedRounds<Variant>(warmup: options.warmup, rounds: options.runs, measurement: WorkloadMeasurement(runner: runner)).run(
            subjects, log: { "\(logs)/\($0.rawValue)-\($1.index).log" },
            announce: { progress?($0.isWarmup ? "warmup round \($0.number) of \($0.of)" : "round \($0.number) of \($0.of)") },
            failed: { _, failure in throw BenchError.failed(command: failure.command, status: failure.status, log: failure.log) })
        var instructions: [Variant: Int] = [:]
        if options.instructions {
            for variant in wanted {
                progress?("callgrind: \(variant.rawValue)")
                instructions[variant] = try await countInstructions(commands[variant]!, log: "\(logs)/\(variant.rawValue)-callgrind.log")
            }
        }
        let baseline = samples[.baseline]?.map(\.seconds)
        let results = wanted.map { variant -> BenchResult.VariantResult in
            let runs = samples[variant]!
            let wall = runs.map(\.seconds)
            var ratio: BenchResult.Ratio?
            if let baseline, variant != .baseline {
                let interval = Statistics.bootstrapRatio(wall, baseline)
                ratio = BenchResult.Ratio(value: Statistics.median(wall) / Statistics.median(baseline), low: interval.low, high: interval.high)
            }
            let cpu = runs.compactMap(\.cpuSeconds)
            let rss = runs.compactMap(\.peakRSSBytes)
            return BenchResult.VariantResult(
                name: variant.rawValue,
                wall: .init(median: Statistics.median(wall), mad: Statistics.mad(wall), samples: wall),
                cpuSeconds: cpu.isEmpty ? nil : Statistics.median(cpu),
                peakRSSBytes: rss.max(),
                binaryBytes: available[variant]!.values.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) },
                ratioToBaseline: ratio,
                instructions: instructions[variant])
        }
        let fingerprints = BenchRecord.fingerprints(current)
        return BenchResult(
            timestamp: ISO8601DateFormatter().string(from: Date()), command: profile.bench.map { $0.run.joined(separator: " ") } ?? "",
            runs: options.runs, warmup: options.warmup, fingerprints: fingerprints, variants: results)
    }

    func countInstructions(_ command: Command, log: String) async throws -> Int {
        do {
            return try await WorkloadMeasurement(runner: runner).instructions(command, log: log)
        } catch let failure as WorkloadMeasurement.Failure {
            throw BenchError.failed(command: failure.command, status: failure.status, log: failure.log)
        }
    }
}

public enum BenchError: Error, CustomStringConvertible, Equatable {
    case noBench(file: String)
    case notBuilt(workDir: String)
    case variantMissing(String, workDir: String)
    case failed(command: String, status: String, log: String)
    case badOptions(String)
    case boltNotKept(workDir: String)

    public var description: String {
        switch self {
        case .noBench(let file): return "\(file) has no [bench] table; add `[bench] run = [...]` to benchmark."
        case .notBuilt(let workDir): return "nothing is built in \(workDir); run `temper run PROFILE` first."
        case .variantMissing(let variant, let workDir): return "the variant \(variant) is not built in \(workDir) (bolt needs [bolt] enabled or --bolt; run `temper run` first)."
        case .failed(let command, let status, let log): return "the bench workload failed (\(status)):\n  $ \(command)\n  log: \(log)"
        case .badOptions(let problem): return problem
        case .boltNotKept(let workDir): return "BOLT was not kept in \(workDir): no candidate was faster than PGO+LTO with 95% confidence (report.json, bolt.selection, says why). Set [bolt] select = \"always\" to publish and bench it anyway."
        }
    }
}


extension BenchError: ExitCoded {
    public var exitStatus: Int32 {
        if case .failed = self { return ExitStatus.stageFailed }
        return ExitStatus.badInput
    }
}
