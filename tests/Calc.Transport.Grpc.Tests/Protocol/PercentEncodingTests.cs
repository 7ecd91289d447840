using Calc.Transport.Grpc.Protocol;

namespace Calc.Transport.Grpc.Tests.Protocol;

public sealed class PercentEncodingTests
{
    public static TheoryData<string, string> Table => new()
    {
        { "test status message", "test status message" },
        { "100%", "100%25" },
        { "a\tb", "a%09b" },
        { "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n",
          "%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP %F0%9F%98%88%09%0A" },
        { "Привет", "%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82" },
        { "~ !\"#$&'()*+,-./:;<=>?@[\\]^_`{|}", "~ !\"#$&'()*+,-./:;<=>?@[\\]^_`{|}" },
        { "\u007F", "%7F" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Encode_Message_MatchesWireForm(string message, string wire)
    {
        Assert.Equal(wire, PercentEncoding.Encode(message));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Decode_WireForm_RoundTrips(string message, string wire)
    {
        Assert.Equal(message, PercentEncoding.Decode(wire));
    }

    [Theory]
    [InlineData("%zz", "%zz")]          // malformed escapes are kept as they are
    [InlineData("50%", "50%")]
    [InlineData("%4", "%4")]
    [InlineData("%41%42", "AB")]
    [InlineData("%c3%a9", "é")]         // lower-case hex accepted
    [InlineData("%E2%98", "\uFFFD")]    // truncated UTF-8 becomes a replacement character
    public void Decode_LenientInput_KeepsWhatIsNotAnEscape(string wire, string message)
    {
        Assert.Equal(message, PercentEncoding.Decode(wire));
    }
}
