import TemperModel
import TemperSystem
import TemperExecution
import ArgumentParser
import Foundation
import TemperCore

struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Carry a trained profile to other machines: export, show, merge.",
        subcommands: [Export.self, Show.self, Merge.self])

    /// `temper bundle` alone is a usage error (exit 2), not a silent success.
    func run() async throws {
        throw ValidationError("name what to do with a bundle: export, show or merge (temper bundle --help).")
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a work dir's merged profile, BOLT profiles and manifest to one bundle file.")

        @OptionGroup var workDir: WorkDirOption

        @Option(name: .short, help: ArgumentHelp("The bundle file to write (never overwritten).", valueName: "file"))
        var output: String

        func run() async throws {
            let directory = try workDir.resolve()
            let manifest = try await BundleExporter().export(workDir: directory, to: output)
            print("wrote \(output)")
            print(BundleDescription.text(manifest, sha256: nil))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a bundle's manifest.")

        @Argument(help: "The bundle file.")
        var bundle: String

        @Flag(help: "Print the manifest as JSON.")
        var json = false

        func run() async throws {
            let read = try ProfileBundle.read(path: bundle)
            if json {
                print(String(decoding: try JSONEncoder.temper.encode(read.manifest), as: UTF8.self))
            } else {
                print(BundleDescription.text(read.manifest, sha256: read.sha256))
            }
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine bundles trained on several machines or shards into one (deterministic).")

        @Argument(help: "Two or more bundles.")
        var bundles: [String]

        @Option(help: ArgumentHelp("One positive weight per bundle, e.g. 2,1 (default: all 1).", valueName: "w1,w2,..."))
        var weights: String?

        @Option(name: .short, help: ArgumentHelp("The merged bundle to write (never overwritten).", valueName: "file"))
        var output: String

        @OptionGroup var llvm: LLVMBinOption

        func validate() throws {
            guard bundles.count >= 2 else { throw ValidationError("give at least two bundles to merge") }
        }

        func run() async throws {
            let weights = try BundleMerger.parseWeights(weights, count: bundles.count)
            let resolver = ToolchainResolver(runner: SubprocessRunner())
            let toolchain = try await resolver.resolve(llvmBin: llvm.llvmBin)
            let bolt = await resolver.boltTools(for: toolchain)
            let manifest = try await BundleMerger().merge(bundles, weights: weights, output: output, toolchain: toolchain, bolt: bolt.complete ? bolt : nil)
            print("wrote \(output)")
            print(BundleDescription.text(manifest, sha256: nil))
        }
    }
}
