// Probability of detection against range for each sensor type, calibrated by the site file's
// `pd` (the probability of detecting the reference target at the sensor's maximum range).
// Used by coverage analysis; terrain masking and the field of view are applied by the caller.
//
//  radar     Swerling I target, single look: Pd = Pfa^(1/(1+SNR)) (Swerling 1960; Richards,
//            Fundamentals of Radar Signal Processing, 2nd ed., eq. 6.32), SNR falling as R^-4
//            (radar equation), SNR at max range solved from `pd` and Pfa.
//  camera,   Johnson criteria with the target transfer probability function (Johnson 1958;
//  aerostat  Ratches et al. 1975 "NV static performance model"): P(N) = (N/N50)^E / (1 +
//            (N/N50)^E), E = 2.7 + 0.7 N/N50, where N, the resolvable cycles (pixels) on the
//            target, falls as 1/R; N/N50 at max range is solved from `pd`.
//  acoustic  Swerling I form with SNR falling as R^-2 (spherical spreading of a blast).
//  fence     `pd` on the segments the sensor is mounted on (no range dependence).
//  adsb      not a detection sensor (cooperative): 0.
//
// All functions are pure and thread-safe.
#pragma once

#include "picket/core/site.h"

namespace picket::terrain {

// False-alarm probability per radar resolution cell used to calibrate the Swerling model.
inline constexpr double kRadarPfa = 1e-6;

// Swerling I detection probability at signal-to-noise ratio `snr` (linear).
double swerling1_pd(double snr, double pfa);
// The SNR at which a Swerling I target is detected with probability `pd`.
double swerling1_snr(double pd, double pfa);
// Johnson target transfer probability at N/N50 = `ratio`.
double johnson_ttpf(double ratio);
// The N/N50 ratio at which the TTPF equals `pd` (bisection).
double johnson_ratio_for(double pd);

// Probability that `sensor` detects its reference target at `range_m`, ignoring field of view
// and terrain: 0 outside [min_range, max_range].
double detection_probability(const SensorDef& sensor, double range_m);

}  // namespace picket::terrain
