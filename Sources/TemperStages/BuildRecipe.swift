import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// What decides a build's commands: the variant, the profile, the toolchain and where its
/// profile data comes from. `BuildStage` plans from it; the install stage renders its own
/// commands with the optimize build's recipe, so make finds nothing to redo with other flags.
public struct BuildRecipe: Sendable {
    public let variant: BuildVariant
    public let profile: PipelineProfile
    public let toolchain: Toolchain
    /// The stage whose merged profile this build uses (the optimize build), wired by the composer.
    public let profileFrom: StageID?

    public init(variant: BuildVariant, profile: PipelineProfile, toolchain: Toolchain, profileFrom: StageID?) {
        self.variant = variant
        self.profile = profile
        self.toolchain = toolchain
        self.profileFrom = profileFrom
    }

    public var id: StageID { StageID(variant.rawValue) }

    /// The launcher is ccache (by file name), whose settings temper fills in.
    public var usesCcache: Bool { profile.build.launcher.first.map { ($0 as NSString).lastPathComponent == "ccache" } ?? false }
    public static let cacheLog = "ccache-stats.log"
    public var consumes: [StageID] { [profileFrom].compactMap { $0 } }

    /// The build tree this stage produces (relative to the work dir), which the composer hands
    /// to the stages that run or read it.
    public var tree: StageOutputPath { StageOutputPath(id, "stages/\(id.rawValue)/build") }

    public func buildDirectory(_ workDir: WorkDir) -> String { tree.absolute(in: workDir) }

    /// Where this build reads its profile: a copy in the work dir's cache under the upstream
    /// file's (content-addressed) name, which no stage owns. Every build that applies the same
    /// profile (optimize and bolt-build) then names the same path, absolute or relative to its
    /// build directory, in every work dir, whichever stage made the profile (merge or a bundle's
    /// import): a compile cache (ccache) serves bolt-build from optimize's compiles, and hits
    /// across work dirs and machines.
    public func profileCopy(_ context: PlanContext) -> (source: String, path: String)? {
        guard let relative = profileFrom.flatMap({ context.upstream[$0]?.output(.profileData) }) else { return nil }
        let name = (relative as NSString).lastPathComponent
        return (context.workDir.absolute(relative), context.workDir.cache + "/pgo/" + name)
    }

    public func flags(_ context: PlanContext) -> InjectedFlags {
        // ccache hashes `-fprofile-use=PATH` as written (its base directory does not apply
        // there), so with ccache the path is given relative to the build directory, where the
        // compiler runs; a build system that compiles from subdirectories then fails loudly
        // ("could not read profile"), never silently.
        // A build-system preset compiles from subdirectories (and CMake's and Meson's own
        // checks run elsewhere): its profile path is absolute, valid from anywhere.
        let profileData = profileCopy(context).map { copy in
            usesCcache && profile.build.system == nil ? ToolCommands.relativePath(copy.path, from: buildDirectory(context.workDir)) : copy.path
        }
        // bolt-build shares optimize's ThinLTO cache: with the same code model (BOLT on a PIE) its
        // LTO backend finds every module already compiled; the cache key covers the code model.
        let cacheName = variant == .boltBuild ? BuildVariant.optimize.rawValue : variant.rawValue
        return BuildFlags.injected(
            for: variant, toolchain: toolchain, settings: profile, profileData: profileData,
            thinLTOCache: (profile.optimize.thinLTOCache ?? context.workDir.cache) + "/thinlto-\(cacheName)", buildDirectory: buildDirectory(context.workDir))
    }

    /// The profile's own flags with temper's: what `{cflags}`, `{cxxflags}` and `{ldflags}` become.
    func composed(_ injected: InjectedFlags) -> (cflags: [String], cxxflags: [String], ldflags: [String]) {
        let variantFlags = variant.isInstrumented ? profile.instrument.cflags : []
        return (
            profile.build.cflags + variantFlags + injected.cflags, (profile.build.cxxflags ?? profile.build.cflags) + variantFlags + injected.cflags,
            profile.build.ldflags + injected.ldflags
        )
    }

    /// This build's flags for a probe outside any build (`FlagProbe`), as the build gets them
    /// (the profile's own, then temper's), less what reads a profile that does not exist yet
    /// (`-fprofile-use=...`, GCC's missing-profile warnings).
    public func probeFlags(directory: String) -> (own: (cflags: [String], cxxflags: [String], ldflags: [String]), injected: InjectedFlags) {
        let injected = BuildFlags.injected(for: variant, toolchain: toolchain, settings: profile, profileData: nil, thinLTOCache: nil, buildDirectory: directory)
        let profileReaders = ["-fprofile-use", "-fprofile-instr-use", "-fcs-profile-generate", "-Wmissing-profile", "-Werror=missing-profile", "-Werror=coverage-mismatch"]
        func probed(_ flags: [String]) -> [String] { flags.filter { flag in !profileReaders.contains { flag == $0 || flag.hasPrefix($0 + "=") } } }
        let own = composed(InjectedFlags())
        return ((own.cflags, own.cxxflags, own.ldflags), InjectedFlags(cflags: probed(injected.cflags), ldflags: probed(injected.ldflags)))
    }

    /// The placeholder values and environment of this build's commands, with `{build}` being
    /// `build`: the install stage renders its commands with the optimize build's own, so that
    /// make finds nothing to redo with other flags.
    public func rendering(_ context: PlanContext, build: String) -> (values: [String: String], environment: [String: String]) {
        let (cflags, cxxflags, ldflags) = composed(flags(context))
        let launcher = profile.build.launcher
        let values = [
            "source": profile.source, "build": build, "cc": (launcher + [toolchain.cc.path]).joined(separator: " "),
            "cxx": (launcher + [toolchain.cxx.path]).joined(separator: " "),
            "cflags": cflags.joined(separator: " "), "cxxflags": cxxflags.joined(separator: " "),
            "ldflags": ldflags.joined(separator: " "), "ar": toolchain.ar.path, "ranlib": toolchain.ranlib.path,
            "jobs": context.jobsText, "cc_path": toolchain.cc.path, "cxx_path": toolchain.cxx.path, "launcher": launcher.joined(separator: ";"),
        ]
        var environment = profile.build.env.mapValues { Placeholders.render($0, values: values) }
        if profile.build.exportFlags {
            environment.merge([
                "CC": values["cc"]!, "CXX": values["cxx"]!, "AR": toolchain.ar.path, "RANLIB": toolchain.ranlib.path,
                "CFLAGS": values["cflags"]!, "CXXFLAGS": values["cxxflags"]!, "LDFLAGS": values["ldflags"]!,
            ]) { _, injected in injected }
        }
        if usesCcache {
            // Paths under the work dir are hashed relative to the build directory, and the
            // current directory is not hashed (debug info maps it away), so two work dirs (or
            // machines) share compiles; the statistics log counts this build's hits alone.
            let defaults = [
                "CCACHE_BASEDIR": context.workDir.root, "CCACHE_NOHASHDIR": "true",
                "CCACHE_STATSLOG": context.workDir.stageDirectory(id) + "/" + Self.cacheLog,
            ]
            environment.merge(defaults) { own, _ in own }
        }
        if variant.isInstrumented {
            // Instrumented helpers that the build itself runs must not litter the build tree.
            environment.merge(toolchain.profileRuntime.environment(rawDirectory: context.workDir.stageDirectory(id) + "/build-time-profiles")) { _, new in new }
        }
        return (values, environment)
    }
}
