/// Messages produced once by the Python encoder of bedrock-wire.md §3.3 (`struct` + `zlib.crc32`, JSON with
/// `separators=(',', ':')`, `ensure_ascii=False`) and checked by parsing them back with botocore 1.43.11's
/// `botocore.eventstream.EventStreamBuffer`. No Python runs at test time.
enum BotocoreFixtures {
    /// event('messageStart', {'role': 'assistant'}); the 118-byte example of bedrock-wire.md §3.1.
    static let messageStart = """
        00000076 00000052 96d5fade
        0b3a6576656e742d74797065 07 000c 6d65737361676553746172740d
        3a636f6e74656e742d74797065 07 0010 6170706c69636174696f6e2f6a736f6e
        0d3a6d6573736167652d74797065 07 0005 6576656e74
        7b22726f6c65223a22617373697374616e74227d
        6fa8c599
        """

    /// event('contentBlockDelta', {'contentBlockIndex': 1, 'delta': {'text': 'Grüße "q" \\ \n 😀'}})
    static let contentBlockDelta = """
        000000aa00000057aaba9c090b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f6e74\
        656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b\
        22636f6e74656e74426c6f636b496e646578223a312c2264656c7461223a7b2274657874223a224772c3bcc39f65205c2271\
        5c22205c5c205c6e20f09f9880227d7d770e9072
        """
    static let contentBlockDeltaPayload = "{\"contentBlockIndex\":1,\"delta\":{\"text\":\"Grüße \\\"q\\\" \\\\ \\n 😀\"}}"

    /// exception('throttlingException', 'Too many requests')
    static let throttlingException = """
        00000090000000618e91a9b70f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e\
        0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009\
        657863657074696f6e7b226d657373616765223a22546f6f206d616e79207265717565737473227de67f8005
        """

    /// One header of every type, payload `{"ok":true}`. botocore decoded the headers as
    /// {'t': True, 'f': False, 'b': -7, 's': -300, 'i': 70000, 'l': -5000000000, 'ba': b'\x00\xff\x10',
    ///  'str': 'héll', 'ts': 1748779200123, 'id': bytes(range(16))}.
    static let allHeaderTypes = """
        00000071000000562398e2d7017400016601016202f9017303fed401690400011170016c05fffffffed5fa0e000262610600\
        0300ff100373747207000568c3a96c6c02747308000001972b5cee7b02696409000102030405060708090a0b0c0d0e0f7b22\
        6f6b223a747275657df147adbc
        """
}
