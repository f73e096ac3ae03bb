import Foundation

/// Runs the profile's `[bench]` workload on the published artifacts (optimized, and baseline
/// when it was built): wall time as the median of interleaved runs, and optionally the
/// instruction count under callgrind, which is deterministic where wall time drifts.
public struct BenchRun: Sendable {
    public enum Variant: String, Sendable, Codable, CaseIterable {
        case baseline
        /// The PGO + LTO build before BOLT, shown when `out/` holds BOLTed artifacts.
        case pgoLTO = "pgo-lto"
        case optimized
    }

    /// Each variant's artifact paths by file name.
    static func artifacts(_ profile: PipelineProfile, _ workDir: WorkDir, _ variant: Variant) -> [String: String] {
        switch variant {
        case .baseline, .optimized:
            let directory = variant == .optimized ? workDir.out : workDir.out + "/baseline"
            return Dictionary(uniqueKeysWithValues: profile.build.artifactNames.map { ($0, directory + "/" + $0) })
        case .pgoLTO:
            return profile.artifactPaths(in: BuildStage.buildDirectory(.optimize, in: workDir))
        }
    }

    public struct Measurement: Sendable, Codable, Equatable {
        public var variant: Variant
        public var seconds: [Double]
        public var medianSeconds: Double
        public var instructions: Int?

        enum CodingKeys: String, CodingKey {
            case variant, seconds, instructions
            case medianSeconds = "median_seconds"
        }
    }

    let runner: any ProcessRunning

    public init(runner: any ProcessRunning = SubprocessRunner()) {
        self.runner = runner
    }

    public static func command(profile: PipelineProfile, workDir: WorkDir, variant: Variant) throws -> Command {
        guard let bench = profile.bench else { throw BenchError.noBench(file: profile.file) }
        let artifacts = Self.artifacts(profile, workDir, variant)
        let directory = variant == .pgoLTO ? BuildStage.buildDirectory(.optimize, in: workDir) : URL(fileURLWithPath: artifacts.values.first ?? workDir.out).deletingLastPathComponent().path
        return profile.command(run: bench.run, cwd: bench.cwd, env: bench.env, timeout: nil, build: directory, directory: directory, artifacts: artifacts)
    }

    /// The variants whose artifacts are published in the work dir.
    public static func availableVariants(profile: PipelineProfile, workDir: WorkDir) -> [Variant] {
        let boltPublished = profile.build.artifactNames.contains { ELFFile(path: workDir.out + "/" + $0)?.isBolted == true }
        return Variant.allCases.filter { variant in
            if variant == .pgoLTO && !boltPublished { return false }
            return artifacts(profile, workDir, variant).values.allSatisfy { FileManager.default.fileExists(atPath: $0) }
        }
    }

    public func run(profile: PipelineProfile, workDir: WorkDir, runs: Int, instructions: Bool) async throws -> [Measurement] {
        let variants = Self.availableVariants(profile: profile, workDir: workDir)
        guard variants.contains(.optimized) else { throw BenchError.notBuilt(workDir: workDir.root) }
        let logs = workDir.root + "/bench"
        try workDir.freshDirectory(logs)
        var seconds: [Variant: [Double]] = [:]
        // Interleaved, so that drift on a shared machine hits every variant alike.
        for round in 0..<runs {
            for variant in variants {
                let command = try Self.command(profile: profile, workDir: workDir, variant: variant)
                let outcome = try await runner.run(command, logPath: "\(logs)/\(variant.rawValue)-\(round).log")
                guard outcome.succeeded else { throw BenchError.failed(command: command.displayString, status: outcome.statusDescription, log: outcome.logPath) }
                seconds[variant, default: []].append(outcome.seconds)
            }
        }
        var results: [Measurement] = []
        for variant in variants {
            var count: Int?
            if instructions {
                var command = try Self.command(profile: profile, workDir: workDir, variant: variant)
                command.arguments = ["--tool=callgrind", "--callgrind-out-file=/dev/null", command.executable] + command.arguments
                command.executable = "valgrind"
                let log = "\(logs)/\(variant.rawValue)-callgrind.log"
                let outcome = try await runner.run(command, logPath: log)
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                count = text.split(separator: "\n").lazy.compactMap { line -> Int? in
                    guard let range = line.range(of: "Collected : ") else { return nil }
                    return Int(line[range.upperBound...].trimmingCharacters(in: .whitespaces))
                }.first
                guard outcome.succeeded, count != nil else {
                    throw BenchError.failed(command: command.displayString, status: outcome.statusDescription + "; valgrind 3.19 cannot read DWARF 5, build with -gdwarf-4 or without -g", log: log)
                }
            }
            let sorted = seconds[variant, default: []].sorted()
            results.append(Measurement(variant: variant, seconds: seconds[variant, default: []], medianSeconds: sorted[sorted.count / 2], instructions: count))
        }
        return results
    }

    /// A table for the terminal, with the change relative to the baseline.
    public static func render(_ results: [Measurement]) -> String {
        let baseline = results.first { $0.variant == .baseline }
        var lines = ["variant      median s   runs     instructions"]
        for result in results {
            var line = result.variant.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            line += " " + String(format: "%8.3f", result.medianSeconds) + "   " + String(format: "%4d", result.seconds.count)
            if let count = result.instructions {
                line += "   " + String(String(count).reversed()).padding(toLength: 14, withPad: " ", startingAt: 0).reversed()
                if let base = baseline?.instructions, result.variant != .baseline, base > 0 {
                    // Relative to the baseline; the pgo-lto row shows what BOLT adds on top.
                    line += String(format: "  (%+.1f%% instructions)", 100 * Double(count - base) / Double(base))
                }
            }
            if let base = baseline, result.variant != .baseline, base.medianSeconds > 0 {
                line += String(format: "  (%.2fx wall)", base.medianSeconds / result.medianSeconds)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

public enum BenchError: Error, CustomStringConvertible, Equatable {
    case noBench(file: String)
    case notBuilt(workDir: String)
    case failed(command: String, status: String, log: String)

    public var description: String {
        switch self {
        case .noBench(let file): return "\(file) has no [bench] table; add `[bench] run = [...]` to benchmark."
        case .notBuilt(let workDir): return "no optimized artifacts in \(workDir)/out; run `temper run PROFILE --baseline` first."
        case .failed(let command, let status, let log): return "the bench workload failed (\(status)):\n  $ \(command)\n  log: \(log)"
        }
    }
}
