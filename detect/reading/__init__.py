"""Plate reading at run time: localisation and rectification (`localise`), text readers
(`readers`, `custom_recogniser`), plate grammar by region (`grammar*`), candidate choice (`choice`)
and the stage that runs them on a vehicle or a still image (`recogniser`)."""
