/* Wall-clock time for the timings clrt reports. */
#ifndef CLRT_CLOCK_H
#define CLRT_CLOCK_H

/* Milliseconds on a monotonic clock (only differences are meaningful). */
double clrt_now_ms(void);

#endif /* CLRT_CLOCK_H */
