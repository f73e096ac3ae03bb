/// The list of stages for a profile: the only place that knows which stages exist and in
/// which order. Later stage families (BOLT) are added here.
public enum PipelineComposer {
    public static func stages(for profile: PipelineProfile, toolchain: Toolchain, baseline: Bool, bolt: BoltTools? = nil) -> [any Stage] {
        let optimize = BuildStage(variant: .optimize, profile: profile, toolchain: toolchain)
        let baselineStage = baseline ? BuildStage(variant: .baseline, profile: profile, toolchain: toolchain) : nil
        let ahead = ([optimize] + [baselineStage].compactMap { $0 }).filter(\.canConfigureAhead)
        var stages: [any Stage] = [
            BuildStage(variant: .instrument, profile: profile, toolchain: toolchain, configuresAhead: ahead),
            TrainStage(profile: profile, toolchain: toolchain),
            toolchain.family == .clang
                ? MergeStage(profile: profile, toolchain: toolchain) as any Stage
                : GCCMergeStage(profile: profile, toolchain: toolchain),
            optimize,
        ]
        if profile.bolt.enabled, let bolt {
            if profile.bolt.mode == .instrument {
                stages.append(BoltInstrumentStage(profile: profile, bolt: bolt))
            }
            stages += [
                TrainStage(boltTrainingFor: profile, tools: bolt),
                BoltMergeStage(profile: profile, bolt: bolt),
                BoltOptimizeStage(profile: profile, bolt: bolt),
            ]
        }
        if let baselineStage {
            stages.append(baselineStage)
        }
        return stages
    }

    /// Every stage name temper knows, in pipeline order (for status of any work dir).
    public static let allStageNames = [
        "instrument", "train", "merge", "optimize", "bolt-instrument", "bolt-train", "bolt-merge", "bolt-optimize", "baseline",
    ]
}
