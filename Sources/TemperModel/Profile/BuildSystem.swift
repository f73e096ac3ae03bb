/// `[build] system`: a preset that writes a build system's configure and build commands, with
/// temper's flags where that system takes them without tripping its own checks, and the
/// compiler launcher wired the way it expects. Explicit `configure`/`build` commands are the
/// other way to describe a build; a profile uses one or the other.
public enum BuildSystem: String, Codable, Sendable, Equatable, CaseIterable {
    case cmake, meson, autotools, make

    /// The flags a preset build gets when the profile gives no `[build] cflags`: what the build
    /// system's own release configuration would use (the preset replaces it), with debug info
    /// as DWARF 4, which valgrind 3.19 (Debian 12) reads when temper counts instructions.
    public var defaultCFlags: [String] {
        switch self {
        case .cmake, .meson: return ["-O2", "-gdwarf-4", "-DNDEBUG"]
        case .autotools, .make: return ["-O2", "-gdwarf-4"]
        }
    }

    /// The programs its commands run, for `temper doctor PROFILE`.
    public var programs: [String] {
        switch self {
        case .cmake: return ["cmake", "make"]
        case .meson: return ["meson", "ninja"]
        case .autotools, .make: return ["make"]
        }
    }

    /// The configure commands: `options` are the project's own (`[build] options`).
    ///
    /// CMake: temper's flags in a build type of its own (`CMAKE_<LANG>_FLAGS_TEMPER`), which
    /// try_compile checks ignore, the compilers as bare paths and the launcher in
    /// `CMAKE_<LANG>_COMPILER_LAUNCHER` (CMake refuses "ccache clang" as a compiler).
    /// Meson: `-D<lang>_args`/`-D<lang>_link_args`, `--buildtype=plain` (the flags carry -O),
    /// Meson's own `b_pgo`/`b_lto` off; compilers from CC/CXX (with the launcher, which Meson splits).
    /// autotools: only the compilers and tools at configure time; the flags go to make, so
    /// configure's probes never see `-fprofile-use` (and the configure can run ahead).
    /// make: the source copied into the build directory (plain Makefiles build in place).
    public func configure(options: [String]) -> [[String]] {
        switch self {
        case .cmake:
            return [[
                "cmake", "-S", "{source}", "-B", "{build}", "-DCMAKE_BUILD_TYPE=Temper",
                "-DCMAKE_C_COMPILER={cc_path}", "-DCMAKE_CXX_COMPILER={cxx_path}",
                "-DCMAKE_C_COMPILER_LAUNCHER={launcher}", "-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}",
                "-DCMAKE_AR={ar}", "-DCMAKE_RANLIB={ranlib}",
                "-DCMAKE_C_FLAGS_TEMPER={cflags}", "-DCMAKE_CXX_FLAGS_TEMPER={cxxflags}",
                "-DCMAKE_EXE_LINKER_FLAGS_TEMPER={ldflags}", "-DCMAKE_SHARED_LINKER_FLAGS_TEMPER={ldflags}",
                "-DCMAKE_MODULE_LINKER_FLAGS_TEMPER={ldflags}",
            ] + options]
        case .meson:
            return [[
                "meson", "setup", "{build}", "{source}", "--buildtype=plain", "-Db_pgo=off", "-Db_lto=false",
                "-Dc_args={cflags}", "-Dcpp_args={cxxflags}", "-Dc_link_args={ldflags}", "-Dcpp_link_args={ldflags}",
            ] + options]
        case .autotools:
            return [["{source}/configure", "CC={cc}", "CXX={cxx}", "AR={ar}", "RANLIB={ranlib}"] + options]
        case .make:
            return [["cp", "-a", "{source}/.", "{build}"]]
        }
    }

    public func build(targets: [String]) -> [[String]] {
        switch self {
        case .cmake:
            return [["cmake", "--build", "{build}", "-j", "{jobs}"] + (targets.isEmpty ? [] : ["--target"] + targets)]
        case .meson:
            return [["meson", "compile", "-C", "{build}", "-j", "{jobs}"] + targets]
        case .autotools:
            return [["make", "-j{jobs}", "CFLAGS={cflags}", "CXXFLAGS={cxxflags}", "LDFLAGS={ldflags}"] + targets]
        case .make:
            return [["make", "-j{jobs}", "CC={cc}", "CXX={cxx}", "AR={ar}", "RANLIB={ranlib}", "CFLAGS={cflags}", "CXXFLAGS={cxxflags}", "LDFLAGS={ldflags}"] + targets]
        }
    }

    /// Environment the preset's commands get (the profile's own `[build] env` wins).
    public var environment: [String: String] {
        switch self {
        case .meson: return ["CC": "{cc}", "CXX": "{cxx}", "AR": "{ar}"]
        case .cmake, .autotools, .make: return [:]
        }
    }
}
