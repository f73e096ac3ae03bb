import Foundation
import Testing
import TemperModel
import TemperSystem
import TemperStages

/// The hardening temper reads from ELF files (PIE, RELRO, BIND_NOW, PT_GNU_STACK, build-id),
/// on binaries the real toolchain makes, and what BOLT's `-use-gnu-stack` does to them.
@Suite(.serialized) struct HardeningTests {
    @Test func theELFReaderSeesWhatTheLinkerWrote() async throws {
        let llvm = try await TestLLVM.find()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("temper-hardening-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = directory + "/main.c"
        try "int main(void) { return 0; }\n".write(toFile: source, atomically: true, encoding: .utf8)
        func build(_ name: String, _ flags: [String]) throws -> Hardening {
            _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fuse-ld=lld", "-Wl,--build-id", "-o", directory + "/" + name, source] + flags)
            return try #require(ELFFile(path: directory + "/" + name)?.hardening)
        }
        let plain = try build("plain", ["-fpie", "-pie", "-Wl,-z,relro,-z,now"])
        #expect(plain == Hardening(pie: "pie", relro: "full", bindNow: true, gnuStack: "non-executable", buildID: true, stackProtector: false, fortify: 0, ibt: false, shstk: false))
        let lazy = try build("lazy", ["-fpie", "-pie", "-Wl,-z,relro,-z,lazy"])
        #expect(lazy.relro == "partial" && !lazy.bindNow)
        let fixed = try build("fixed", ["-fno-pie", "-no-pie", "-Wl,-z,relro,-z,now"])
        #expect(fixed.pie == "no" && fixed.lost(against: plain) == ["not position-independent (the reference is pie)"])
        #expect(fixed.lost(against: plain, comparePIE: false).isEmpty)
        let execstack = try build("execstack", ["-fpie", "-pie", "-Wl,-z,relro,-z,now", "-Wl,-z,execstack"])
        #expect(execstack.gnuStack == "executable" && execstack.lost(against: plain).count == 1)

        // Stack protector and FORTIFY from the imported symbols; CET from .note.gnu.property (an
        // object file: Debian 12's crt files carry no CET mark, so a linked program loses it).
        let fortifiedSource = directory + "/fortified.c"
        try """
            #include <string.h>
            #include <stdio.h>
            int main(int argc, char **argv) { char buf[64]; strcpy(buf, argv[0]); printf("%s\\n", buf); return 0; }
            """.write(toFile: fortifiedSource, atomically: true, encoding: .utf8)
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fuse-ld=lld", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-o", directory + "/fortified", fortifiedSource])
        let fortified = try #require(ELFFile(path: directory + "/fortified"))
        #expect(fortified.hardening.stackProtector == true && fortified.fortifiedFunctions == ["__printf_chk", "__strcpy_chk"])
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fno-stack-protector", "-U_FORTIFY_SOURCE", "-fuse-ld=lld", "-o", directory + "/unfortified", fortifiedSource])
        let unfortified = try #require(ELFFile(path: directory + "/unfortified")?.hardening)
        #expect(unfortified.lost(against: fortified.hardening).sorted() == ["no stack protector (__stack_chk_fail)", "not fortified (no __*_chk functions; the reference has 2)"])
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fcf-protection=full", "-c", "-o", directory + "/cet.o", fortifiedSource])
        let cet = try #require(ELFFile(path: directory + "/cet.o")?.hardening)
        #expect(cet.ibt == true && cet.shstk == true)
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fcf-protection=none", "-c", "-o", directory + "/nocet.o", fortifiedSource])
        #expect(try #require(ELFFile(path: directory + "/nocet.o")?.hardening).lost(against: cet) == ["CET IBT mark lost", "CET shadow-stack mark lost"])

        // BOLT 22 with -use-gnu-stack drops the header (LLVM issue 174191); without it, it stays.
        let bolt = llvm.tool("llvm-bolt")
        guard FileManager.default.isExecutableFile(atPath: bolt) else { return }
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-fuse-ld=lld", "-fno-pie", "-no-pie", "-Wl,--emit-relocs", "-Wl,-z,relro,-z,now", "-o", directory + "/input", source])
        let input = try #require(ELFFile(path: directory + "/input")?.hardening)
        for (name, flags) in [("with", ["-use-gnu-stack"]), ("without", [])] {
            _ = try? Temper.output(of: bolt, [directory + "/input", "-o", directory + "/bolted-" + name] + flags)
            let bolted = try #require(ELFFile(path: directory + "/bolted-" + name)?.hardening)
            if name == "without" {
                #expect(bolted.lost(against: input).isEmpty, "\(bolted)")
            } else if llvm.major == 22 {
                // Observed with BOLT 22.1.8: the header is gone, and temper says so.
                #expect(bolted.gnuStack == "missing" && bolted.lost(against: input).contains { $0.hasPrefix("PT_GNU_STACK missing") })
            }
        }
    }
}

/// temper's injected compile flags never trip a project's -Werror: link-only flags (BOLT's
/// -no-pie) are marked as possibly unused in compile-only calls.
@Suite struct InjectedFlagsTests {
    @Test func theOptimizeFlagsOfABoltBuildCompileUnderWerror() async throws {
        let llvm = try await TestLLVM.find()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("temper-werror-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "int f(void) { return 1; }\n".write(toFile: directory + "/f.c", atomically: true, encoding: .utf8)
        let text = """
            version = 1
            name = "werror"
            [source]
            path = "\(directory)"
            [build]
            build = ["make"]
            artifacts = ["app"]
            [[train.task]]
            name = "one"
            run = ["{artifact:app}"]
            [bolt]
            enabled = true
            """
        let profile = try ProfileParser.parse(text, file: directory + "/werror.toml")
        let toolchain = try await ToolchainResolver(runner: SubprocessRunner()).resolve(llvmBin: llvm.bin)
        for variant in [BuildVariant.optimize, .baseline] {
            let flags = BuildFlags.injected(for: variant, toolchain: toolchain, settings: profile, profileData: nil, thinLTOCache: nil)
                .cflags.filter { !$0.hasPrefix("-fprofile-use") }
            #expect(flags.contains("-no-pie"))
            // A compile-only call, as a -Werror project makes it.
            _ = try Temper.output(of: llvm.tool("clang"), ["-Werror", "-Wunused-command-line-argument"] + flags + ["-c", directory + "/f.c", "-o", directory + "/f.o"])
            #expect(FileManager.default.fileExists(atPath: directory + "/f.o"), "\(variant): \(flags)")
            try? FileManager.default.removeItem(atPath: directory + "/f.o")
        }
    }
}
