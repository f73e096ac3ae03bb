import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// One BOLT flag set that bolt-optimize builds, verifies and measures. temper always tries
/// LLVM's default set; a set that leaves the dispatch functions alone when the profile shows
/// some; and every set the profile names in `[bolt.candidates]`.
public struct BoltCandidate: Sendable, Equatable, Codable {
    public var name: String
    /// The optimization flags (temper's reporting flags are added by `ToolCommands`).
    public var flags: [String]

    public static let defaultName = BoltFlagSet.defaultName
    public static let dispatchName = BoltFlagSet.dispatchName

    /// The candidates for a profile, given the dispatch functions bolt-merge found in each BOLT
    /// artifact's profile (nil while planning ahead of a run, when they are not known yet).
    public static func all(profile: PipelineProfile, tools: BoltTools, dispatch: [String: [String]]?) -> [BoltCandidate] {
        let base = profile.bolt.flags ?? BoltFlags.defaults(for: tools)
        if profile.bolt.select == .pinned {
            // A decision pinned one flag set: that set alone, under its own name.
            return [BoltCandidate(name: profile.bolt.pinnedName ?? defaultName, flags: base + profile.bolt.extraFlags)]
        }
        var candidates = [BoltCandidate(name: defaultName, flags: base + profile.bolt.extraFlags)]
        if profile.bolt.dispatchCandidate {
            if let dispatch {
                let functions = profile.boltArtifacts.flatMap { dispatch[$0.name] ?? [] }
                if !functions.isEmpty {
                    candidates.append(BoltCandidate(name: dispatchName, flags: base + profile.bolt.extraFlags + ["-skip-funcs=" + functions.joined(separator: ",")]))
                }
            } else {
                candidates.append(BoltCandidate(name: dispatchName, flags: base + profile.bolt.extraFlags + ["-skip-funcs=<the dispatch functions found in the profile>"]))
            }
        }
        candidates += profile.bolt.candidates.map { BoltCandidate(name: $0.name, flags: $0.flags + profile.bolt.extraFlags) }
        return candidates
    }
}


/// The decision bolt-optimize stores: which candidate (if any) replaces the PGO+LTO build.
public enum BoltSelection {
    public struct Measured: Sendable {
        public var name: String
        public var seconds: [Double]
        public var instructions: Int?
    }

    /// The rule, recorded in bolt-optimize's plan: a rerun under another rule measures again
    /// instead of reusing a decision made by the old one.
    public static let rule = "lowest median among candidates whose 95% CI of the time ratio is below 1.0"

    /// Picks from the verified candidates. "fastest": the one with the lowest median among
    /// those whose 95% interval of the time ratio to pre-BOLT lies below 1.0, or none.
    /// Instructions are reported, not gated on: BOLT's layout can be faster while executing a
    /// little more (CPython 3.13 here: 0.876x the time, +0.65% instructions), and a candidate
    /// that executes more without being faster is already out.
    /// "always": the lowest median, whatever the interval.
    public static func decide(
        preBolt: Measured, candidates: [Measured], select: BoltSelect
    ) -> (published: String?, ratios: [String: BoltSummary.Ratio], reason: String) {
        switch select {
        case .pinned:
            // A decision file chose the flag set; nothing is measured here.
            guard let pinned = candidates.first else { return (nil, [:], "the pinned candidate did not pass verification") }
            return (pinned.name, [:], "pinned by the decision file: \(pinned.name), verified, not measured")
        case .none:
            return (nil, [:], "select = \"none\": candidates built and verified, nothing measured or published")
        case .fastest, .always:
            break
        }
        guard !preBolt.seconds.isEmpty else { return (nil, [:], "the pre-BOLT build was not measured") }
        let preMedian = Statistics.median(preBolt.seconds)
        var ratios: [String: BoltSummary.Ratio] = [:]
        for candidate in candidates where !candidate.seconds.isEmpty {
            let interval = Statistics.bootstrapRatio(candidate.seconds, preBolt.seconds)
            ratios[candidate.name] = BoltSummary.Ratio(value: Statistics.median(candidate.seconds) / preMedian, low: interval.low, high: interval.high)
        }
        let ranked = candidates.compactMap { candidate in ratios[candidate.name].map { (candidate, $0) } }
            .sorted { ($0.1.value, $0.0.name) < ($1.1.value, $1.0.name) }
        guard let best = ranked.first else { return (nil, ratios, "no candidate passed verification") }
        func describe(_ name: String, _ ratio: BoltSummary.Ratio) -> String {
            String(format: "%@ ran the workload in %.3fx the PGO+LTO time [95%% CI %.3f, %.3f]", name, ratio.value, ratio.low, ratio.high)
        }
        func instructionNote(_ candidate: Measured) -> String {
            guard let before = preBolt.instructions, let after = candidate.instructions, before > 0 else { return "" }
            return String(format: "; instructions %+.2f%%", 100 * Double(after - before) / Double(before))
        }
        switch select {
        case .always, .pinned, .none:
            return (best.0.name, ratios, "select = \"always\": " + describe(best.0.name, best.1) + instructionNote(best.0))
        case .fastest:
            if let faster = ranked.first(where: { $0.1.high < 1.0 }) {
                return (faster.0.name, ratios, "kept: " + describe(faster.0.name, faster.1) + instructionNote(faster.0) + ", faster with 95% confidence")
            }
            return (nil, ratios, "not kept: no candidate was faster than PGO+LTO with 95% confidence; the best, " + describe(best.0.name, best.1) + instructionNote(best.0))
        }
    }
}
