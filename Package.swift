// swift-tools-version: 6.1
import PackageDescription

// NonisolatedNonsendingByDefault (SE-0461): a nonisolated async function runs on its caller's executor instead of
// hopping to the generic one. NIO's event loops are the global executor (Sources/switchyard), and there each such hop
// is one more job queued on the loop: a governed Converse call made 172 of them, now 138, of which the governance
// code's own went from 13 to none (perf probes on swift_task_switch and swift_task_enqueueGlobal). `@concurrent`
// marks the few closures and functions that hand a value they own to a dependency's async requirement
// (Hummingbird's `ResponseBodyWriter.write`, a middleware's `next`), which keep the old hop.
let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6), .enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // OTLP/HTTP only: the default traits would also build gRPC.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "SwitchyardModel",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AWSWire",
            dependencies: [
                // The JSON byte writer (ByteBuffer.writeJSONString) lives with JSONValue in the model.
                "SwitchyardModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Anthropic Messages wire, both directions: the one codec the provider, Bedrock's Anthropic family and the
        // Anthropic door share.
        .target(
            name: "AnthropicDialect",
            dependencies: ["SwitchyardModel", "AWSWire", .product(name: "NIOCore", package: "swift-nio")],
            path: "Sources/Dialects/AnthropicMessages",
            swiftSettings: swiftSettings
        ),
        // The Gemini generateContent wire, both directions: request bodies built and read, answers and stream chunks
        // read and written; what the Gemini provider and the batch runner's Gemini records share.
        .target(
            name: "GeminiDialect",
            dependencies: ["SwitchyardModel", .product(name: "NIOCore", package: "swift-nio")],
            path: "Sources/Dialects/GeminiGenerate",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Providers",
            dependencies: [
                "SwitchyardModel", "AWSWire", "OpenAIDialect", "AnthropicDialect", "GeminiDialect",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Engine",
            dependencies: [
                "SwitchyardModel",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every door does with a call the same way (record it, answer failures, end streamed bodies).
        .target(
            name: "DoorCalls",
            dependencies: [
                "SwitchyardModel", "Engine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BedrockDoor",
            dependencies: [
                "SwitchyardModel", "AWSWire", "Engine", "DoorCalls", "AnthropicDialect",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // The OpenAI Chat Completions dialect, both directions: what the OpenAI door reads and writes.
        .target(
            name: "OpenAIDialect",
            dependencies: ["SwitchyardModel", "AWSWire", .product(name: "NIOCore", package: "swift-nio")],
            path: "Sources/Dialects/OpenAIChat",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OpenAIDoor",
            dependencies: [
                "SwitchyardModel", "Engine", "OpenAIDialect", "DoorCalls",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AnthropicDoor",
            dependencies: [
                "SwitchyardModel", "Engine", "AnthropicDialect", "AWSWire", "DoorCalls",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Stores",
            dependencies: [
                "SwitchyardModel", "AWSWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Pricing",
            dependencies: ["SwitchyardModel"],
            // The source of BundledPrices.swift (scripts/embed-prices.sh), not a resource: see PriceTable.bundled.
            exclude: ["Resources/prices.json"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RequestLog",
            dependencies: [
                "SwitchyardModel", "Stores", "Engine", "Pricing",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CallTracing",
            dependencies: [
                "SwitchyardModel", "Engine",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Prometheus metrics of the call pipeline, through the swift-metrics API; the server picks the backend.
        .target(
            name: "GatewayMetrics",
            dependencies: [
                "SwitchyardModel", "Engine", "Pricing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Virtual keys: credentials, their sealed secrets, the cached lookup, and the plugin enforcing budgets and rate limits.
        .target(
            name: "Governance",
            dependencies: [
                "SwitchyardModel", "Engine", "Stores", "AWSWire", "Pricing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "S3Door",
            dependencies: [
                "SwitchyardModel", "AWSWire", "Stores", "Engine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Batch",
            dependencies: [
                "SwitchyardModel", "AWSWire", "Stores", "Engine", "OpenAIDialect", "AnthropicDialect", "GeminiDialect",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The answer cache: exact and semantic entries in the caller's scope, an in-memory index over the store.
        .target(
            name: "AnswerCache",
            dependencies: [
                "SwitchyardModel", "Engine", "Stores",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web dashboard: its pages and assets compiled into the binary, and the login sessions with CSRF tokens.
        .target(
            name: "Dashboard",
            dependencies: [
                "Governance", "Stores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [
                .embedInCode("Assets/index.html"), .embedInCode("Assets/login.html"), .embedInCode("Assets/setup.html"),
                .embedInCode("Assets/app.js"), .embedInCode("Assets/app.css"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "Dashboard", "SwitchyardModel", "Engine", "Providers", "BedrockDoor", "OpenAIDoor", "OpenAIDialect", "AnthropicDoor", "Stores", "S3Door", "Batch", "CallTracing", "GatewayMetrics", "Pricing", "RequestLog", "Governance",
                "AnswerCache",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardServer", "SwitchyardModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `switchyard keys` talks to the running gateway's admin API.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // Swift concurrency's global executor becomes NIO's event loops (see `Switchyard.main`).
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The request-decoder fuzz harness: libFuzzer target under scripts/fuzz.sh, corpus replayer otherwise.
        .executableTarget(
            name: "SwitchyardFuzz",
            dependencies: [
                "AWSWire", "BedrockDoor", "S3Door", "Providers", "SwitchyardModel", "AnthropicDialect",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the test targets share: a scripted provider, a recording plugin, memory stores, builders.
        .target(
            name: "SwitchyardTestSupport",
            dependencies: [
                "Engine", "SwitchyardModel", "Stores",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AWSWireTests", dependencies: ["AWSWire", "SwitchyardModel"], swiftSettings: swiftSettings),
        .testTarget(name: "BedrockDoorTests", dependencies: ["BedrockDoor", "SwitchyardModel", "Engine"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AnthropicDialectTests", dependencies: ["AnthropicDialect", "SwitchyardModel", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ProvidersTests",
            dependencies: [
                "Providers", "SwitchyardModel", "AWSWire", "OpenAIDialect", "GeminiDialect",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "StoresTests",
            dependencies: [
                "Stores", "SwitchyardModel", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GovernanceTests",
            dependencies: [
                "Governance", "Engine", "Stores", "AWSWire", "Pricing", "SwitchyardModel", "SwitchyardTestSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
            ], swiftSettings: swiftSettings),
        .testTarget(name: "OpenAIDialectTests", dependencies: ["OpenAIDialect", "SwitchyardModel", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: swiftSettings),
        .testTarget(name: "PricingTests", dependencies: ["Pricing", "SwitchyardModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RequestLogTests",
            dependencies: [
                "RequestLog", "Stores", "SwitchyardModel", "Engine", "Pricing",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "S3DoorTests",
            dependencies: [
                "S3Door", "AWSWire", "Stores", "Engine", "SwitchyardModel", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BatchTests", dependencies: ["Batch", "Stores", "SwitchyardModel", "BedrockDoor", "Engine", "SwitchyardTestSupport", "GeminiDialect"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EngineTests", dependencies: ["Engine", "SwitchyardModel", "SwitchyardServer", "SwitchyardTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AdminAPITests",
            dependencies: [
                "SwitchyardServer", "Dashboard", "Stores", "RequestLog", "SwitchyardModel", "Governance", "Engine", "Batch",
                "SwitchyardTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer", "Engine", "SwitchyardModel", "AWSWire", "SwitchyardTestSupport", "Governance", "Stores", "Pricing",
                "AnthropicDoor", "OpenAIDoor", "OpenAIDialect",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "AnswerCacheTests",
            dependencies: ["AnswerCache", "Engine", "Stores", "SwitchyardModel", "SwitchyardTestSupport", "BedrockDoor", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayMetricsTests",
            dependencies: [
                "GatewayMetrics", "Engine", "Pricing", "SwitchyardModel",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings),
    ]
)
