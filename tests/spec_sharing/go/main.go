// A Go program using the client openapi-generator (go) writes from the bundled description.
// tests/spec_sharing/test_other_generators.py builds the client as package "chatapi" in a
// GOPATH with Debian's Go and runs this: exit status 0 and "ok" when every check holds.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"chatapi"
)

func fail(format string, args ...interface{}) {
	fmt.Printf(format+"\n", args...)
	os.Exit(1)
}

func main() {
	// An incoming text message decodes as a text message, not as an email or an unknown kind;
	// an id beyond 32 bits survives.
	var text chatapi.Message
	incoming := `{"messageId":3000000001,"contactId":2,"channelId":3,"traffic":"incoming",` +
		`"message":{"type":"text","text":"hi"}}`
	if err := json.Unmarshal([]byte(incoming), &text); err != nil {
		fail("decoding a text message: %v", err)
	}
	known := text.Message.KnownMessageContent
	if known == nil || known.TextMessage == nil || known.TextMessage.Text != "hi" {
		fail("a text message decoded as %+v", text.Message)
	}
	if text.MessageId != 3000000001 {
		fail("messageId decoded as %d", text.MessageId)
	}

	// A kind the description does not list is kept by the catch-all, not swallowed.
	var sticker chatapi.Message
	other := `{"messageId":1,"contactId":2,"channelId":3,"traffic":"incoming",` +
		`"message":{"type":"sticker","sticker":{"id":"s1"}}}`
	if err := json.Unmarshal([]byte(other), &sticker); err != nil {
		fail("decoding a sticker: %v", err)
	}
	if sticker.Message.KnownMessageContent != nil || sticker.Message.UnknownMessage == nil ||
		sticker.Message.UnknownMessage.Type != "sticker" {
		fail("a sticker decoded as %+v", sticker.Message)
	}

	// A createContact body: the generated constructor and the schema do not collide.
	body := chatapi.NewCreateContactRequest("Aisha")
	encoded, err := json.Marshal(body)
	if err != nil || string(encoded) != `{"firstName":"Aisha"}` {
		fail("createContact body encoded as %s (%v)", encoded, err)
	}

	// A Unix time in a filter range is sent exactly (a 32-bit float rounded it).
	to := 1733011199.0
	bound := chatapi.RangeBound{Float64: &to}
	encoded, err = json.Marshal(bound)
	if err != nil || string(encoded) != "1733011199" {
		fail("a range bound encoded as %s (%v)", encoded, err)
	}

	// A template location's coordinates are 64-bit floats: a 32-bit float moved them by about
	// a metre (assigning to a float64 does not compile otherwise).
	var place chatapi.TemplateLocation
	if err := json.Unmarshal([]byte(`{"latitude":3.123456789012,"longitude":101.6869}`), &place); err != nil {
		fail("decoding a location: %v", err)
	}
	var latitude float64 = place.GetLatitude()
	if latitude != 3.123456789012 {
		fail("a latitude decoded as %v", latitude)
	}

	// On a request a coordinate may also be a numeric string, sent as it is.
	north, east := "3.1570", 101.7123
	sent := chatapi.NewOutgoingTemplateLocation(
		chatapi.StringAsOutgoingTemplateLocationLatitude(&north),
		chatapi.Float64AsOutgoingTemplateLocationLongitude(&east),
	)
	encoded, err = json.Marshal(sent)
	if err != nil || string(encoded) != `{"latitude":"3.1570","longitude":101.7123}` {
		fail("a location encoded as %s (%v)", encoded, err)
	}
	fmt.Println("ok")
}
