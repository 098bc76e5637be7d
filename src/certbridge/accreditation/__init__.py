"""International recognition: accreditation bodies with their IAF MLA / ILAC MRA signatory scopes."""
