import Foundation

/// Merges the raw profiles with the toolchain's own llvm-profdata into a content-addressed
/// `.profdata`, and records what it holds (function count, total and max counts).
public struct MergeStage: Stage {
    public static let stageName = "merge"
    let profile: PipelineProfile
    let toolchain: Toolchain

    public init(profile: PipelineProfile, toolchain: Toolchain) {
        self.profile = profile
        self.toolchain = toolchain
    }

    public var name: String { Self.stageName }
    public var consumes: [String] { [TrainStage.stageName] }

    func paths(_ workDir: WorkDir) -> (inputs: String, merged: String) {
        let directory = workDir.stageDirectory(name)
        return (directory + "/inputs.txt", directory + "/merged.profdata")
    }

    public func plan(_ context: PlanContext) throws -> StagePlan {
        let (inputs, merged) = paths(context.workDir)
        let merge = Command(
            executable: toolchain.profdata.path,
            arguments: ["merge", "--num-threads=\(context.jobsText)", "--output=\(merged)", "--input-files=\(inputs)"],
            workingDirectory: context.workDir.stageDirectory(name))
        let show = Command(executable: toolchain.profdata.path, arguments: ["show", "--topn=20", "{profdata}"], workingDirectory: context.workDir.stageDirectory(name))
        let covered = Command(executable: toolchain.profdata.path, arguments: ["show", "--covered", "{profdata}"], workingDirectory: context.workDir.stageDirectory(name))
        return StagePlan(steps: [StagePlan.Step("merge", merge), StagePlan.Step("show", show), StagePlan.Step("covered", covered)], material: ["pgo": profile.optimize.pgo.rawValue])
    }

    public func execute(_ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        let (inputs, merged) = paths(workDir)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: context.directory)) ?? [] {
            try workDir.remove(context.directory + "/" + entry)
        }
        let raw = (context.plan.upstream[TrainStage.stageName]?.outputs.keys.sorted() ?? [])
            .filter { $0.hasSuffix(".profraw") }.map(workDir.absolute)
        guard !raw.isEmpty else {
            throw StageError(stage: name, message: "train recorded no raw profiles to merge. Run `temper run --from train`.")
        }
        try Data((raw.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: inputs))
        try workDir.remove(context.logPath)
        let plan = try plan(context.plan)
        let merge = plan.steps[0].command
        let outcome = try await context.runner.run(merge, logPath: context.logPath)
        guard outcome.succeeded else {
            throw StageError.toolFailed(
                stage: name, step: "merge", command: merge, outcome: outcome,
                hint: "llvm-profdata must come from the same LLVM as the compiler that wrote the raw profiles (\(toolchain.cc.path), LLVM \(toolchain.cc.version)).")
        }
        guard let digest = FileDigest.sha256(of: merged) else {
            throw StageError(stage: name, message: "llvm-profdata exited 0 but wrote no \(merged). Log: \(context.logPath)")
        }
        let addressed = context.directory + "/\(digest).profdata"
        try workDir.remove(addressed)
        try FileManager.default.moveItem(atPath: merged, toPath: addressed)

        var show = plan.steps[1].command
        show.arguments = ["show", "--topn=20", addressed]
        let (shown, text) = try await context.runner.capture(show)
        guard shown.succeeded else {
            throw StageError(stage: name, message: "`\(show.displayString)` failed (\(shown.statusDescription)):\n\(text.suffix(2000))")
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: context.directory + "/summary.txt"))
        let summary = ProfileSummary.parse(text)
        guard let functions = summary.functions, functions > 0 else {
            throw StageError(stage: name, message: "the merged profile \(addressed) holds no function. The training tasks did not run instrumented code; check them. Summary:\n\(text.prefix(1000))")
        }
        if let level = summary.level, level != profile.optimize.pgo {
            throw StageError(stage: name, message: "the merged profile is \(level == .ir ? "IR" : "front-end") instrumentation, but `[optimize] pgo` is \"\(profile.optimize.pgo.rawValue)\". Raw profiles of the two kinds merge without error into a useless profile; run with --fresh.")
        }
        let hottest = context.directory + "/hottest.json"
        try JSONEncoder.temper.encode(summary.hottest).write(to: URL(fileURLWithPath: hottest))
        var covered = plan.steps[2].command
        covered.arguments = ["show", "--covered", addressed]
        let (coveredOutcome, coveredText) = try await context.runner.capture(covered)
        var counts: [String: Int] = ["functions": functions, "raw_profiles": raw.count]
        if coveredOutcome.succeeded {
            counts["functions_executed"] = coveredText.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        }
        counts["total_count"] = summary.totalCount
        counts["max_count"] = summary.maxCount
        return StageResult(
            outputs: [addressed, hottest], counts: counts, named: ["profdata": workDir.relative(addressed), "hottest": workDir.relative(hottest)],
            message: "\(raw.count) raw profiles, \(functions) functions" + (summary.totalCount.map { ", total count \($0)" } ?? ""))
    }
}

/// The figures `llvm-profdata show` prints about an indexed profile.
public struct ProfileSummary: Equatable, Sendable {
    public var functions: Int?
    public var totalCount: Int?
    public var maxCount: Int?
    public var level: PGOMode?
    /// From `--topn`: the functions with the largest internal block counts.
    public var hottest: [HotFunction] = []

    public static func parse(_ text: String) -> ProfileSummary {
        var summary = ProfileSummary()
        for line in text.split(separator: "\n") {
            // "  symtab_lookup, max count = 55290851"
            if let range = line.range(of: ", max count = "), let count = Int(line[range.upperBound...].trimmingCharacters(in: .whitespaces)) {
                summary.hottest.append(HotFunction(name: line[..<range.lowerBound].trimmingCharacters(in: .whitespaces), maxCount: count))
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let number = Int(parts[1].split(separator: " ").first ?? "")
            switch parts[0] {
            case "Total functions": summary.functions = number
            case "Total count": summary.totalCount = number
            case "Maximum function count": summary.maxCount = number
            case "Instrumentation level":
                summary.level = parts[1].hasPrefix("IR") ? .ir : parts[1].hasPrefix("Front") ? .frontend : nil
            default: break
            }
        }
        return summary
    }
}

/// One of the hottest functions of a profile.
public struct HotFunction: Codable, Equatable, Sendable {
    public var name: String
    public var maxCount: Int

    public init(name: String, maxCount: Int) {
        self.name = name
        self.maxCount = maxCount
    }

    enum CodingKeys: String, CodingKey {
        case name
        case maxCount = "max_count"
    }
}
