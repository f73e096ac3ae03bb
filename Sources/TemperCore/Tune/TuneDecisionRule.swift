import TemperModel
import Foundation

/// How `temper tune` chooses, once, from what it measured. A variant replaces the reference
/// when its wall time is lower with 95% confidence; or, for a layout optimization (BOLT),
/// when its wall time is not higher with 95% confidence and cachegrind's deterministic
/// i-cache figures show the layout at work: simulated I1 misses down by at least 10%, branch
/// mispredictions up by at most 5%. Instruction counts alone never reject a layout candidate.
/// A build without PIE and without BOLT is never chosen: it is weaker than the plain build
/// and gains nothing BOLT needs it for.
public enum TuneDecisionRule {
    public static let iCacheGain = 0.10
    public static let mispredictTolerance = 0.05

    public static let text = "faster with 95% confidence; or, for BOLT, not slower with 95% confidence and simulated I1 misses -10% or more with branch mispredictions +5% at most; else the reference"

    public static func decide(_ variants: [TuneResult.Variant], reference: String) -> (variant: String, reason: String) {
        func eligible(_ variant: TuneResult.Variant) -> Bool {
            variant.built && variant.name != reference && !variant.samples.isEmpty && !(variant.settings.bolt == nil && !variant.settings.isPIE)
        }
        func interval(_ ratio: RatioInterval) -> String { String(format: "%.3fx [95%% CI %.3f, %.3f]", ratio.value, ratio.low, ratio.high) }
        let faster = variants.filter { eligible($0) && $0.verdict == .faster }.sorted { ($0.ratio?.value ?? 1, $0.name) < ($1.ratio?.value ?? 1, $1.name) }
        if let best = faster.first, let ratio = best.ratio {
            return (best.name, "\(best.name) ran the workload in \(interval(ratio)) the time of \(reference): faster with 95% confidence")
        }
        let base = variants.first { $0.name == reference }?.counters
        if let base, !base.noisy, base.first.i1Misses > 0 {
            let layout = variants.filter { variant in
                guard eligible(variant), variant.settings.bolt != nil, variant.verdict == .undecided, let counters = variant.counters, !counters.noisy else { return false }
                let i1 = Double(counters.first.i1Misses) / Double(base.first.i1Misses)
                let mispredicts = base.first.branchMispredicts > 0 ? Double(counters.first.branchMispredicts) / Double(base.first.branchMispredicts) : 1
                return i1 <= 1 - iCacheGain && mispredicts <= 1 + mispredictTolerance
            }.sorted { ($0.counters!.first.i1Misses, $0.name) < ($1.counters!.first.i1Misses, $1.name) }
            if let best = layout.first, let counters = best.counters, let ratio = best.ratio {
                func change(_ new: Int, _ old: Int) -> String { old > 0 ? String(format: "%+.1f%%", 100 * Double(new - old) / Double(old)) : "n/a" }
                return (best.name, "\(best.name): wall time not decided, \(interval(ratio)), and not slower with 95% confidence; "
                    + "simulated I1 misses \(change(counters.first.i1Misses, base.first.i1Misses)), LLi misses \(change(counters.first.lliMisses, base.first.lliMisses)), "
                    + "branch mispredictions \(change(counters.first.branchMispredicts, base.first.branchMispredicts)), instructions \(change(counters.first.instructions, base.first.instructions))")
            }
        }
        let weaker = variants.filter { $0.verdict == .faster && $0.settings.bolt == nil && !$0.settings.isPIE }.map(\.name)
        let note = weaker.isEmpty ? "" : " (\(weaker.joined(separator: ", ")) ran faster, but without PIE and without BOLT it is weaker than the plain build and never chosen)"
        return (reference, "no eligible variant was faster than \(reference) with 95% confidence, and no BOLT variant cut simulated I1 misses by 10% without being slower: \(reference) stays" + note)
    }
}
