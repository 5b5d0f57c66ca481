#!/usr/bin/env bash
# The demo users that `flask datakesos demo` creates, with what each may do and where.
cat <<TEXT

  Demo logins, password: ${DEMO_PASSWORD:-Demo-Kesos-2026!}
    admin                Admin        national   users, roles, regions, offices
    pusdatin             Pusdatin     national   period close, ranking, recaps, maps
    prov.jabar           Provinsi     32         Jawa Barat: its regencies' activity and recaps
    operator.bandung     Operator     32.73      Kota Bandung: households, proposals, certificates
    verifikator.bandung  Verifikator  32.73      Kota Bandung: verifies proposals
    operator.bogor       Operator     32.01      Kabupaten Bogor
    pengawas             Pengawas     national   reads everything, audit trail (masked)
    interkoneksi         Interkoneksi 32         REST API only (/api/v1/)

TEXT
