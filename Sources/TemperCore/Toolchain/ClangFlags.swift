/// Which build of the project a build stage makes.
public enum BuildVariant: String, Sendable, CaseIterable {
    case instrument, optimize, baseline
}

/// Flags temper adds to the profile's own, for one build variant.
public struct InjectedFlags: Sendable, Equatable {
    public var cflags: [String] = []
    public var ldflags: [String] = []
}

extension Toolchain {
    /// Clang's flags for a variant. IR PGO names `static` functions after the source path as
    /// spelled on the command line; `-static-func-full-module-prefix=false` keys them by file
    /// name in both builds, so a different build directory or spelling cannot silently drop them.
    public func injectedFlags(
        for variant: BuildVariant, pgo: PGOMode, lto: LTOMode, profileData: String?, thinLTOCache: String?
    ) -> InjectedFlags {
        var flags = InjectedFlags()
        flags.ldflags = ["--ld-path=\(linker.path)"]
        let stableNames = ["-mllvm", "-static-func-full-module-prefix=false"]
        switch variant {
        case .instrument:
            let generate = pgo == .ir ? "-fprofile-generate" : "-fprofile-instr-generate"
            flags.cflags = [generate] + (pgo == .ir ? stableNames : [])
            flags.ldflags.append(generate)
        case .optimize:
            let data = profileData ?? "{profdata}"
            flags.cflags = [pgo == .ir ? "-fprofile-use=\(data)" : "-fprofile-instr-use=\(data)"]
                + (pgo == .ir ? stableNames : [])
                + ["-Wbackend-plugin", "-Wprofile-instr-out-of-date", "-Wprofile-instr-unprofiled",
                   "-Wno-error=backend-plugin", "-Wno-error=profile-instr-out-of-date", "-Wno-error=profile-instr-unprofiled",
                   "-mllvm", "-pgo-warn-missing-function"]
        case .baseline:
            break
        }
        if variant != .baseline, lto != .none {
            flags.cflags.append("-flto=\(lto.rawValue)")
            flags.ldflags.append("-flto=\(lto.rawValue)")
            if lto == .thin, let thinLTOCache {
                flags.ldflags.append("-Wl,--thinlto-cache-dir=\(thinLTOCache)")
            }
        }
        return flags
    }
}
