import TemperModel
import TemperSystem
import TemperStages

/// How a run changes its pipeline profile for one configuration: a row of `temper tune`'s
/// matrix, or a pinned decision (`temper run --decision`). A plain value, applied once, right
/// after the profile is read, so plan, fingerprints and report all see the changed profile.
public struct ProfileVariant: Sendable, Equatable {
    public enum Bolt: Sendable, Equatable {
        /// No BOLT stages: the ordinary (PIE) build.
        case off
        /// Build and verify these flag sets as candidates; measure and publish none (tune
        /// measures them itself). `pie`: keep the build position-independent.
        case candidates([String], pie: Bool = false)
        /// Apply exactly these flags and publish the result once verified, measuring nothing.
        case pinned(name: String, flags: [String])
    }

    public var overrides: TuneOverrides
    public var bolt: Bolt

    public init(overrides: TuneOverrides, bolt: Bolt) {
        self.overrides = overrides
        self.bolt = bolt
    }

    /// The variant a decision file pins.
    public init(decision: TuneDecision) {
        overrides = decision.settings
        if let flags = decision.boltFlags {
            bolt = .pinned(name: decision.settings.bolt ?? BoltFlagSet.defaultName, flags: flags)
        } else {
            bolt = .off
        }
    }

    /// The flags of a named BOLT set for this profile: the profile's own `[bolt.candidates]`
    /// entry, a published set, or nil for temper's own (default, skip-dispatch).
    public static func flags(ofSet name: String, in profile: PipelineProfile) -> [String]? {
        profile.bolt.candidates.first { $0.name == name }?.flags ?? BoltFlags.published[name]
    }

    public func apply(to profile: inout PipelineProfile) {
        if let pgo = overrides.pgo { profile.optimize.pgo = pgo }
        if let lto = overrides.lto { profile.optimize.lto = lto }
        if let cflags = overrides.cflags { profile.build.cflags = cflags }
        if let compiler = overrides.compiler { profile.toolchain.compiler = compiler }
        switch bolt {
        case .off:
            profile.bolt.enabled = false
        case .candidates(let sets, let pie):
            profile.bolt.enabled = true
            profile.bolt.pie = pie
            // Tune measures these against its own reference and rules on hardening itself.
            profile.bolt.acceptNonPIE = !pie
            profile.bolt.plainBuild = false
            profile.bolt.select = .none
            profile.bolt.dispatchCandidate = sets.contains(BoltFlagSet.dispatchName)
            profile.bolt.candidates = sets.filter { !BoltFlagSet.reservedNames.contains($0) }.compactMap { name in
                Self.flags(ofSet: name, in: profile).map { BoltFlagSet(name: name, flags: $0) }
            }
        case .pinned(let name, let flags):
            profile.bolt.enabled = true
            profile.bolt.pinnedName = name
            profile.bolt.pie = overrides.pie == true
            // A decision pins a non-PIE build only when its tune accepted one ([tune] accept_non_pie).
            profile.bolt.acceptNonPIE = !profile.bolt.pie
            profile.bolt.select = .pinned
            profile.bolt.flags = flags
            profile.bolt.extraFlags = []
            profile.bolt.dispatchCandidate = false
            profile.bolt.candidates = []
        }
    }
}
