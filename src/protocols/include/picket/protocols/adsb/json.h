// Mode S messages and SBS lines as JSON object members (for `picket adsb decode`): the decoded
// fields only, in the units their names carry; the caller adds offsets, times and positions.
#pragma once

#include <string>

#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/modes.h"
#include "picket/protocols/asterix/codec.h"

namespace picket::adsb {

// Appends "df":..,"icao":"4840D6",... (members, no braces). For DF 20/21 the Comm-B register is
// inferred; when exactly one register fits, its fields follow under "commb".
void message_json(const Message& m, asterix::codec::JsonOut& j);
void sbs_json(const SbsMessage& m, asterix::codec::JsonOut& j);

}  // namespace picket::adsb
