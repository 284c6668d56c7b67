// Nuisances as the sensor models feel them: rain raising clutter rates, wind making fence
// segments trigger. Pure functions of the scenario and time (bird flocks are movers).
//
// Rain: while a shower covers a sensor its false-alarm rate is multiplied by the shower's
// clutter_factor; overlapping showers add their excess: rate(t) = base * (1 + sum_i (f_i - 1)).
//
// Wind: a segment in a wind's range triggers fence sensors as an inhomogeneous Poisson process
// with rate lambda(t) = R * s(t)^2 (vibration energy grows with the square of the wind's
// strength, as dynamic pressure does with speed), where R is the wind's `rate` (per segment per
// hour at strength 1) and s(t) = strength * (0.75 + 0.25 sin(2 pi (t - start) / P + phi_k)) is
// the gusting strength, with gust period P and a phase phi_k = 2.3 k that moves the gusts along
// the fence from segment k to the next. Arrivals are drawn by thinning (Lewis & Shedler,
// "Simulation of nonhomogeneous Poisson processes by thinning", 1979).
#pragma once

#include "picket/sim/scenario.h"

namespace picket::sim {

// The integral over [t0, t1] of the clutter multiplier of sensor `sensor` (seconds): equal to
// t1 - t0 without rain.
double clutter_factor_integral(const Scenario& sc, int sensor, double t0, double t1);

// Wind trigger rate of one segment at time t, per second (0 outside the wind's time or range).
double wind_rate(const WindSpec& w, int segment, double t);
// Its upper bound over all times, per second.
double wind_rate_max(const WindSpec& w);
// The expected number of triggers of one segment in [t0, t1] (closed form).
double wind_expected_triggers(const WindSpec& w, int segment, double t0, double t1);

}  // namespace picket::sim
