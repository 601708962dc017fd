# The sockcheck grader image: Debian 12, two stages. The build stage compiles
# this checkout and installs it into a staging tree; the runtime stage has
# only the shared libraries, valgrind, a C toolchain for the students'
# sources (a submission is built before it is tested) and the installed tree.
#
#   docker build -t sockcheck .
#   docker run --rm --cap-add SYS_ADMIN --cap-add NET_ADMIN sockcheck \
#       sockcheck run /usr/local/share/sockcheck/fixtures/correct
#
# Without those two capabilities a case gets no namespaces of its own: add
# --no-netns (free loopback ports; fixed-port programs run one at a time).
# See docs/grading.md. tests/image-steps.sh runs the RUN steps of this file
# on the host (make check does): keep each a shell command whose paths come
# from $STAGE and $PREFIX, and the stages as they are (build, then runtime
# with the staged tree copied to /).

ARG DEBIAN=debian:12-slim

FROM ${DEBIAN} AS build
ARG PREFIX=/usr/local
ARG STAGE=/stage
WORKDIR /src
COPY . .
RUN sh .ci/install-deps --build --clean
RUN make -j"$(nproc)" && make install DESTDIR="$STAGE" PREFIX="$PREFIX"

FROM ${DEBIAN} AS runtime
ARG PREFIX=/usr/local
COPY --from=build /stage/ /
RUN sh "$PREFIX/share/sockcheck/install-deps" --runtime --clean
RUN "$PREFIX/bin/sockcheck" --version && "$PREFIX/bin/sockcheck" list --only 'echo.server.*' >/dev/null
WORKDIR /work
CMD ["sockcheck", "--help"]
